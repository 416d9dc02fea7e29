import Foundation
import QuarryPostgres
import QuarryTestSupport
import Testing

@Suite("Errors and transactions")
struct ErrorTests {
    let pool = TestDatabase.pool(maxConnections: 4)

    @Test("a unique violation carries SQLSTATE 23505 and its classification")
    func uniqueViolation() async throws {
        let table = TestDatabase.uniqueSchema("uv")
        try await pool.query("CREATE TABLE \(identifier: table) (id int PRIMARY KEY)")
        try await pool.query("INSERT INTO \(identifier: table) VALUES (1)")
        let error = await #expect(throws: PostgresError.self) {
            try await pool.query("INSERT INTO \(identifier: table) VALUES (\(1))")
        }
        #expect(error?.code == .uniqueViolation)
        #expect(error?.sqlState == "23505")
        #expect(error?.detail?.contains("(id)=(1)") == true)
        #expect(error?.isRetryable == false)
        try await pool.query("DROP TABLE \(identifier: table)")
    }

    @Test("a syntax error carries SQLSTATE 42601 and the query text")
    func syntaxError() async throws {
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELEC 1") }
        #expect(error?.sqlState == "42601")
        #expect(error?.code == .other)
        #expect(error?.query == "SELEC 1")
        #expect(error?.description.contains("SQLSTATE 42601") == true)
    }

    @Test("a deadlock between two transactions is classified and retryable")
    func deadlock() async throws {
        let table = TestDatabase.uniqueSchema("dl")
        try await pool.query("CREATE TABLE \(identifier: table) (id int PRIMARY KEY, v int)")
        try await pool.query("INSERT INTO \(identifier: table) VALUES (1, 0), (2, 0)")
        let a = PostgresConnection(configuration: TestDatabase.configuration())
        let b = PostgresConnection(configuration: TestDatabase.configuration())
        // Each transaction locks one row, waits for the other to do the same, then wants the other's row.
        let bothLocked = AsyncBarrier(parties: 2)
        async let first: Void = a.transaction { tx in
            try await tx.query("UPDATE \(identifier: table) SET v = 1 WHERE id = 1")
            await bothLocked.arrive()
            try await tx.query("UPDATE \(identifier: table) SET v = 1 WHERE id = 2")
        }
        async let second: Void = b.transaction { tx in
            try await tx.query("UPDATE \(identifier: table) SET v = 2 WHERE id = 2")
            await bothLocked.arrive()
            try await tx.query("UPDATE \(identifier: table) SET v = 2 WHERE id = 1")
        }
        var failures: [PostgresError] = []
        do { try await first } catch let error as PostgresError { failures.append(error) }
        do { try await second } catch let error as PostgresError { failures.append(error) }
        #expect(failures.count == 1)
        #expect(failures.first?.code == .deadlock)
        #expect(failures.first?.sqlState == "40P01")
        #expect(failures.first?.isRetryable == true)
        await a.close()
        await b.close()
        try await pool.query("DROP TABLE \(identifier: table)")
    }

    @Test("a transaction rolls back when its body throws")
    func rollback() async throws {
        struct Boom: Error {}
        let table = TestDatabase.uniqueSchema("rb")
        try await pool.query("CREATE TABLE \(identifier: table) (id int)")
        await #expect(throws: Boom.self) {
            try await pool.transaction { tx in
                try await tx.query("INSERT INTO \(identifier: table) VALUES (1)")
                throw Boom()
            }
        }
        try await pool.transaction { tx in try await tx.query("INSERT INTO \(identifier: table) VALUES (2)") }
        let rows = try await pool.query("SELECT array_agg(id) AS ids FROM \(identifier: table)")
        #expect(try rows[0].decode([Int].self, "ids") == [2])
        // The connection that rolled back is usable again (not stuck in an aborted transaction).
        let again = try await pool.query("SELECT 1 AS one")
        #expect(try again[0].decode(Int.self, "one") == 1)
        try await pool.query("DROP TABLE \(identifier: table)")
    }

    @Test("connecting to a closed port fails with connect_failed and a hint")
    func connectFailure() async throws {
        let config = PostgresConfiguration(connectionString: "postgresql://quarry@127.0.0.1:1/postgres", reconnectTimeout: .milliseconds(100))
        let error = await #expect(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect(configuration: config)
        }
        #expect(error?.code == .connectFailed)
        #expect(error?.hint?.contains("--database-url") == true)
    }

    @Test("passwords never appear in connection descriptions")
    func redaction() {
        let url = PostgresConfiguration(connectionString: "postgresql://u:s3cret@h:5432/db")
        #expect(!url.redactedDescription.contains("s3cret"))
        let conninfo = PostgresConfiguration(connectionString: "host=h password=s3cret user=u")
        #expect(!conninfo.redactedDescription.contains("s3cret"))
    }
}
