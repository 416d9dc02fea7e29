import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Testing

@Suite("Task families from their column")
struct TaskFamilyDecodingTests {
    let pool = TestDatabase.pool()

    @Test("each family decodes from its name; a name of the same length that is no family is refused, naming it")
    func families() async throws {
        // generation and corruption have the same length, so matching on length alone would confuse them.
        let rows = try await pool.query("SELECT unnest(ARRAY['generation', 'corruption', 'verification', 'generatiom']) AS family")
        #expect(try rows.dropLast().map { try $0.decode(TaskFamily.self, "family") } == [.generation, .corruption, .verification])
        let error = #expect(throws: PostgresError.self) { try rows[3].decode(TaskFamily.self, "family") }
        #expect(error?.message.contains("'generatiom'") == true)
    }
}
