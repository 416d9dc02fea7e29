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

    @Test("array parameters (binary format) keep every element, NULLs, quotes and empty arrays")
    func arrays() async throws {
        let texts = ["a", "b,c", "d\"e", "back\\slash", "", "NULL", "{braces}", "emoji 🧪 漢字"]
        let nullable = PostgresNullableArray<String>(["x", nil, "", nil])
        let uuid = try #require(UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF"))
        let when = Date(timeIntervalSince1970: 1_700_000_000.25)
        let rows = try await pool.query(
            """
            SELECT \(texts) AS texts, cardinality(\(texts)) AS n,
                   \(nullable) AS nullable, array_position(\(nullable), NULL) AS first_null,
                   \([Int]()) AS empty, cardinality(\([Int]())) AS empty_n,
                   \([1, -2, Int(Int64.max), Int(Int64.min)])::text AS bigints, \([Int32(7), Int32.min])::text AS ints,
                   \([1.5, -0.25, Double.infinity, Double.nan])::text AS doubles, \([true, false])::text AS bools,
                   \([uuid])::text AS uuids, (SELECT extract(epoch FROM d)::text FROM unnest(\([when])) d) AS epoch
            """)
        let row = rows[0]
        #expect(try row.decode([String].self, "texts") == texts)
        #expect(try row.decode(Int.self, "n") == texts.count)
        #expect(try row.decode([String?].self, "nullable") == ["x", nil, "", nil])
        #expect(try row.decode(Int.self, "first_null") == 2)
        #expect(try row.decode([Int].self, "empty") == [])
        #expect(try row.decode(Int?.self, "empty_n") == 0)
        #expect(try row.decode(String.self, "bigints") == "{1,-2,9223372036854775807,-9223372036854775808}")
        #expect(try row.decode(String.self, "ints") == "{7,-2147483648}")
        #expect(try row.decode(String.self, "doubles") == "{1.5,-0.25,Infinity,NaN}")
        #expect(try row.decode(String.self, "bools") == "{t,f}")
        #expect(try row.decode(String.self, "uuids") == "{6f9619ff-8b86-d011-b42d-00c04fc964ff}")
        #expect(try row.decode(String.self, "epoch") == "1700000000.250000")
    }

    @Test("a NUL byte inside a text array element is refused by the server, not truncated")
    func nulInArray() async throws {
        await #expect(throws: PostgresError.self) {
            try await pool.query("SELECT \(["ok", "a\u{0}b"])::text[]")
        }
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
