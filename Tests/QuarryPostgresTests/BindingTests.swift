import Foundation
import QuarryPostgres
import QuarryTestSupport
import Testing

@Suite("Bound parameters")
struct BindingTests {
    let pool = TestDatabase.pool()

    @Test("hostile strings round-trip verbatim and are never executed", arguments: [
        "'; DROP TABLE pg_class; --",
        "Robert'); DROP TABLE students;--",
        "\" OR \"\"=\"",
        "\\x00\\' \\\\ backslashes \\n",
        "$1 $2 ${name} %s %d",
        "tab\tnew\nline\rcarriage",
        "emoji 🧪🚀 and CJK 漢字 and RTL עברית and combining é",
        "",
    ])
    func hostileStrings(_ text: String) async throws {
        let rows = try await pool.query("SELECT \(text)::text AS value, length(\(text)::text) AS n")
        #expect(try rows[0].decode(String.self, "value") == text)
        #expect(try rows[0].decode(Int.self, "n") == text.count)
    }

    @Test("ten megabytes of text round-trip")
    func largeText() async throws {
        let unit = "Quarry 漢字 🧪 \t\n"
        let text = String(repeating: unit, count: 10_000_000 / unit.utf8.count)
        let rows = try await pool.query("SELECT \(text)::text AS value, md5(\(text)::text) AS sum")
        let back = try rows[0].decode(String.self, "value")
        #expect(back.utf8.count == text.utf8.count)
        #expect(back == text)
    }

    @Test("binary bytes, including NUL and every byte value, round-trip as bytea")
    func binary() async throws {
        let bytes = (0..<4096).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let rows = try await pool.query("SELECT \(PostgresBytes(bytes)) AS value, length(\(PostgresBytes(bytes))) AS n")
        #expect(try rows[0].decode(PostgresBytes.self, "value").bytes == bytes)
        #expect(try rows[0].decode(Int.self, "n") == 4096)
        #expect(try rows[0].decode(Data.self, "value") == Data(bytes))
    }

    @Test("a NUL byte in text is refused with a clear error, not truncated")
    func nulInText() async throws {
        let error = await #expect(throws: PostgresError.self) {
            try await pool.query("SELECT \("a\u{0}b")::text")
        }
        #expect(error?.code == .invalidValue)
        #expect(error?.message.contains("NUL") == true)
    }

    @Test("an injection attempt stays data when inserted and compared")
    func injectionIntoTable() async throws {
        let table = TestDatabase.uniqueSchema("inj")
        try await pool.query("CREATE TABLE \(identifier: table) (id int, name text)")
        let evil = "x'); DELETE FROM \(table); --"
        try await pool.query("INSERT INTO \(identifier: table) VALUES (1, \(evil)), (2, 'safe')")
        let rows = try await pool.query("SELECT count(*) AS n FROM \(identifier: table) WHERE name = \(evil)")
        #expect(try rows[0].decode(Int.self, "n") == 1)
        let all = try await pool.query("SELECT count(*) AS n FROM \(identifier: table)")
        #expect(try all[0].decode(Int.self, "n") == 2)
        try await pool.query("DROP TABLE \(identifier: table)")
    }

    @Test("identifiers with quotes are quoted, not pasted")
    func quotedIdentifier() async throws {
        let name = "we\"ird name"
        try await pool.withConnection { connection in
            try await connection.query("CREATE TEMP TABLE \(identifier: name) (v int)")
            try await connection.query("INSERT INTO \(identifier: name) VALUES (\(42))")
            let rows = try await connection.query("SELECT v FROM \(identifier: name)")
            #expect(try rows[0].decode(Int.self, "v") == 42)
        }
    }
}
