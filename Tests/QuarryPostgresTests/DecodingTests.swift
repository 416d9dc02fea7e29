import Foundation
import QuarryPostgres
import QuarryTestSupport
import Testing

@Suite("Typed decoding")
struct DecodingTests {
    let pool = TestDatabase.pool()

    struct Payload: Codable, Equatable, Sendable {
        var name: String
        var tags: [String]
        var score: Double
    }

    @Test("every supported type decodes from its column")
    func everyType() async throws {
        let id = UUID()
        let when = Date(timeIntervalSince1970: 1_790_000_000.123456)
        let payload = Payload(name: "q", tags: ["a", "b\"c"], score: 0.5)
        let rows = try await pool.query(
            """
            SELECT \(Int(-9_000_000_000_000)) AS i, \(Int32(-7)) AS i32, 12::smallint AS i16, \(Int64.max) AS i64,
                   \(3.25) AS d, 1.5::real AS f, 12345.678::numeric AS num,
                   \(true) AS b, \("héllo") AS s, 'fixed'::char(5) AS bp, 'v'::varchar AS vc,
                   \(when) AS ts, '2026-01-02'::date AS day, \(id) AS u,
                   \(PostgresJSON(payload)) AS jb, '{"x": 1}'::json AS j,
                   \(["a", "b,c", "d\"e", "", "NULL"]) AS texts, \([1, -2, 3_000_000_000]) AS bigints,
                   ARRAY[1,2]::int[] AS ints, ARRAY[]::text[] AS empty, ARRAY['x', NULL] AS withnull
            """)
        let row = try #require(rows.firstRow)
        #expect(try row.decode(Int.self, "i") == -9_000_000_000_000)
        #expect(try row.decode(Int32.self, "i32") == -7)
        #expect(try row.decode(Int.self, "i16") == 12)
        #expect(try row.decode(Int64.self, "i64") == Int64.max)
        #expect(try row.decode(Double.self, "d") == 3.25)
        #expect(try row.decode(Double.self, "f") == 1.5)
        #expect(abs(try row.decode(Double.self, "num") - 12345.678) < 1e-9)
        #expect(try row.decode(Bool.self, "b") == true)
        #expect(try row.decode(String.self, "s") == "héllo")
        #expect(try row.decode(String.self, "bp") == "fixed")
        #expect(try row.decode(String.self, "vc") == "v")
        #expect(abs(try row.decode(Date.self, "ts").timeIntervalSince(when)) < 1e-6)
        #expect(try row.decode(Date.self, "day") == Date(timeIntervalSince1970: 1_767_312_000))
        #expect(try row.decode(UUID.self, "u") == id)
        #expect(try row.decode(PostgresJSON<Payload>.self, "jb").value == payload)
        #expect(try row.decode(PostgresRawJSON.self, "j").string == #"{"x": 1}"#)
        #expect(try row.decode([String].self, "texts") == ["a", "b,c", "d\"e", "", "NULL"])
        #expect(try row.decode([Int].self, "bigints") == [1, -2, 3_000_000_000])
        #expect(try row.decode([Int].self, "ints") == [1, 2])
        #expect(try row.decode([String].self, "empty") == [])
        #expect(try row.decode([String?].self, "withnull") == ["x", nil])
    }

    @Test("a text column read reusing the previous row's string gives each row's own text")
    func textReusingPrevious() async throws {
        // Same length, different bytes (abc/abd), repeats, a change of length, an empty value and a NULL.
        let rows = try await pool.query(
            "SELECT v FROM unnest(ARRAY['abc', 'abd', 'abd', 'abcd', '', 'abcd', NULL]) WITH ORDINALITY AS t(v, n) ORDER BY n")
        var previous = ""
        var texts: [String] = []
        for row in rows.dropLast() {
            previous = try row.decodeText(at: 0, reusing: previous)
            texts.append(previous)
        }
        #expect(texts == ["abc", "abd", "abd", "abcd", "", "abcd"])
        #expect(throws: PostgresError.self) { try rows[6].decodeText(at: 0, reusing: previous) }
    }

    @Test("NULL decodes as nil for optionals and is an error otherwise")
    func nulls() async throws {
        let rows = try await pool.query("SELECT NULL::int AS n, NULL::text AS t, NULL::uuid AS u, NULL::jsonb AS j")
        let row = try #require(rows.firstRow)
        #expect(try row.decode(Int?.self, "n") == nil)
        #expect(try row.decode(String?.self, "t") == nil)
        #expect(try row.decode(UUID?.self, "u") == nil)
        #expect(try row.decode(PostgresRawJSON?.self, "j") == nil)
        let error = #expect(throws: PostgresError.self) { try row.decode(Int.self, "n") }
        #expect(error?.code == .unexpectedNull)
        #expect(error?.column == "n")
    }

    @Test("a type mismatch names the column and both types")
    func mismatch() async throws {
        let rows = try await pool.query("SELECT 'text'::text AS label, 5 AS count")
        let row = try #require(rows.firstRow)
        let error = #expect(throws: PostgresError.self) { try row.decode(Int.self, "label") }
        #expect(error?.code == .typeMismatch)
        #expect(error?.description.contains("\"label\"") == true)
        #expect(error?.description.contains("text") == true)
        let boolError = #expect(throws: PostgresError.self) { try row.decode(Bool.self, "count") }
        #expect(boolError?.column == "count")
        let missing = #expect(throws: PostgresError.self) { try row.decode(Int.self, "nope") }
        #expect(missing?.code == .columnNotFound)
    }

    @Test("optional parameters bind NULL")
    func optionalParameters() async throws {
        let absent: String? = nil
        let present: Int? = 4
        let rows = try await pool.query("SELECT \(absent)::text IS NULL AS a, \(present) + 1 AS b")
        #expect(try rows[0].decode(Bool.self, "a"))
        #expect(try rows[0].decode(Int.self, "b") == 5)
    }
}
