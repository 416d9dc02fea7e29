import Foundation
import QuarryPostgres
import QuarryTestSupport
import Testing

/// Every long-running command stops the same way (a ServiceGroup turning SIGTERM into graceful shutdown),
/// promptly, with exit status 0 and nothing logged at error level; and waits that cannot end well do not
/// start at all.
@Suite("Shutdown and connection failures of the quarry commands")
struct ShutdownTests {
    static let unsetDatabase = ["QUARRY_DATABASE_URL", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "QUARRY_ENDPOINTS"]

    /// The test database's URL with another database name.
    static func url(database: String) throws -> String {
        var components = try #require(URLComponents(string: TestDatabase.connectionString))
        components.path = "/" + database
        return try #require(components.string)
    }

    @Test("quarry simulate stops on SIGTERM with status 0 and no error logged")
    func simulatorStopsCleanly() async throws {
        let simulator = try ChildProcess(TestDatabase.quarryExecutable, ["simulate", "--port", "0", "--log-level", "info"])
        #expect(await eventually(timeout: .seconds(30)) { simulator.output.contains("listening on http://") }, "\(simulator.output)")
        simulator.signal(SIGTERM)
        #expect(await simulator.waitForExit(timeout: .seconds(15)) == 0, "\(simulator.output)")
        #expect(!simulator.output.contains(" error "), "\(simulator.output)")
    }

    @Test("a worker waiting for an unreachable database stops on SIGTERM")
    func workerStopsWhileWaitingForTheDatabase() async throws {
        // Port 1 on loopback: nothing listens, so every connection attempt is refused and retried.
        let worker = try ChildProcess(
            TestDatabase.quarryExecutable, ["worker", "--database-url", "postgresql://quarry@127.0.0.1:1/postgres", "--concurrency", "1"],
            removing: Self.unsetDatabase)
        #expect(await eventually(timeout: .seconds(30)) { worker.output.contains("retrying") }, "\(worker.output)")
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit(timeout: .seconds(15)) == 0, "\(worker.output)")
        #expect(worker.output.contains("stopped before it registered"), "\(worker.output)")
    }

    @Test("a database that does not exist fails the worker at once, with a hint, without retrying")
    func missingDatabaseIsPermanent() async throws {
        let worker = try ChildProcess(
            TestDatabase.quarryExecutable, ["worker", "--database-url", try Self.url(database: "no_such_database_here"), "--concurrency", "1"],
            removing: Self.unsetDatabase)
        let status = await worker.waitForExit(timeout: .seconds(30))
        #expect(status != nil && status != 0, "\(worker.output)")
        #expect(worker.output.contains("does not exist"), "\(worker.output)")
        #expect(worker.output.contains("createdb"), "\(worker.output)")
        #expect(!worker.output.contains("retrying"), "\(worker.output)")
    }
}
