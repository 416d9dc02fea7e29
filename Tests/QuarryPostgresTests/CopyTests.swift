import Foundation
import QuarryPostgres
import QuarryTestSupport
import Testing

@Suite("COPY FROM STDIN")
struct CopyTests {
    let pool = TestDatabase.pool(maxConnections: 2)

    static func hostileText(_ index: Int) -> String {
        let pieces = [
            "plain", "tab\there", "new\nline", "cr\rlf\r\n", "back\\slash", "\\N", "\\.", "quote\"s'",
            "漢字", "🧪", "é", "\u{7f}", "comma,separated", "  spaces  ", "", "\\\\t",
        ]
        return pieces[index % pieces.count] + String(index) + pieces[(index * 7) % pieces.count]
    }

    @Test("100,000 rows of hostile text arrive intact")
    func hostileRows() async throws {
        let table = TestDatabase.uniqueSchema("copy")
        try await pool.query("CREATE TABLE \(identifier: table) (id int PRIMARY KEY, body text, note text)")
        let count = 100_000
        let loaded = try await pool.withConnection { connection in
            try await connection.copyIn("COPY \(identifier: table) (id, body, note) FROM STDIN") { writer in
                for index in 0..<count {
                    writer.append(index)
                    try writer.append(Self.hostileText(index))
                    try writer.append(index % 10 == 0 ? nil : "n\(index)")
                    try writer.endRow()
                }
            }
        }
        #expect(loaded == count)
        // Compare a digest of everything the server stored with a digest of what we meant to send.
        var expected = ""
        for index in 0..<count {
            expected += Self.hostileText(index)
            expected += "|"
            expected += index % 10 == 0 ? "<null>" : "n\(index)"
            expected += "\n"
        }
        let rows = try await pool.query(
            """
            SELECT md5(string_agg(body || '|' || coalesce(note, '<null>') || E'\\n', '' ORDER BY id)) AS stored,
                   md5(\(expected)) AS sent, count(*) AS n, count(note) AS notes
            FROM \(identifier: table)
            """)
        #expect(try rows[0].decode(Int.self, "n") == count)
        #expect(try rows[0].decode(Int.self, "notes") == count - count / 10)
        #expect(try rows[0].decode(String.self, "stored") == rows[0].decode(String.self, "sent"))
        try await pool.query("DROP TABLE \(identifier: table)")
    }

    @Test("a body that throws aborts the COPY; nothing is loaded and the connection stays usable")
    func abortedCopy() async throws {
        struct Stop: Error {}
        let table = TestDatabase.uniqueSchema("copyabort")
        try await pool.query("CREATE TABLE \(identifier: table) (id int)")
        try await pool.withConnection { connection in
            await #expect(throws: Stop.self) {
                try await connection.copyIn("COPY \(identifier: table) (id) FROM STDIN") { writer in
                    for index in 0..<10 { writer.append(index); try writer.endRow() }
                    throw Stop()
                }
            }
            let rows = try await connection.query("SELECT count(*) AS n FROM \(identifier: table)")
            #expect(try rows[0].decode(Int.self, "n") == 0)
        }
        try await pool.query("DROP TABLE \(identifier: table)")
    }

    @Test("a bad value reports the server's error with its SQLSTATE")
    func badValue() async throws {
        let table = TestDatabase.uniqueSchema("copybad")
        try await pool.query("CREATE TABLE \(identifier: table) (id int)")
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { connection in
                try await connection.copyIn("COPY \(identifier: table) (id) FROM STDIN") { writer in
                    try writer.appendRow(["1"])
                    try writer.appendRow(["not a number"])
                }
            }
        }
        #expect(error?.sqlState == "22P02")
        try await pool.query("DROP TABLE \(identifier: table)")
    }
}
