import Foundation
import QuarryPostgres
import QuarryTestSupport
import Testing

@Suite("Reconnection and LISTEN/NOTIFY")
struct ConnectionRecoveryTests {
    @Test("a connection killed with pg_terminate_backend is replaced; the next query succeeds")
    func terminatedConnectionIsReplaced() async throws {
        let connection = try await PostgresConnection.connect(configuration: TestDatabase.configuration())
        let before = try await connection.backendPID()
        try await TestDatabase.terminate(backend: before)
        try await Task.sleep(for: .milliseconds(100))
        let rows = try await connection.query("SELECT 41 + 1 AS answer")
        #expect(try rows[0].decode(Int.self, "answer") == 42)
        let after = try await connection.backendPID()
        #expect(after != before)
        await connection.close()
    }

    @Test("application_name identifies the process in pg_stat_activity")
    func applicationName() async throws {
        let connection = try await PostgresConnection.connect(configuration: TestDatabase.configuration(applicationName: "quarry-worker:test:1"))
        let rows = try await connection.query("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")
        #expect(try rows[0].decode(String.self, "application_name") == "quarry-worker:test:1")
        await connection.close()
    }

    @Test("a notification arrives within 100 ms, and again after the listener's backend is terminated")
    func listenNotify() async throws {
        let channel = TestDatabase.uniqueSchema("chan")
        let listener = try PostgresListener(configuration: TestDatabase.configuration(applicationName: "quarry-test-listener"), channels: [channel])
        listener.start()
        var events = listener.events.makeAsyncIterator()
        #expect(await events.next() == .connected(reconnect: false))

        let pool = TestDatabase.pool(maxConnections: 1)
        // Five round trips; the median must be under 100 ms (one slow sample on a loaded 2-core box is noise).
        var latencies: [Duration] = []
        for index in 0..<5 {
            let sent = ContinuousClock.now
            try await pool.query("SELECT pg_notify(\(channel), \("n\(index)"))")
            #expect(await events.next() == .notification(channel: channel, payload: "n\(index)"))
            latencies.append(ContinuousClock.now - sent)
        }
        let median = latencies.sorted()[2]
        #expect(median < .milliseconds(100), "notification latencies \(latencies)")

        // Kill the listening backend: the listener must reconnect and LISTEN again.
        let pids = try await pool.query(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'quarry-test-listener' AND query ILIKE 'LISTEN%'")
        #expect(pids.count >= 1)
        for row in pids { try await TestDatabase.terminate(backend: try row.decode(Int32.self, "pid")) }
        #expect(await events.next() == .connected(reconnect: true))
        try await pool.query("SELECT pg_notify(\(channel), \("second"))")
        #expect(await events.next() == .notification(channel: channel, payload: "second"))

        listener.stop()
        #expect(await events.next() == nil)
        await pool.close()
    }

    @Test("after pg_ctl restart -m fast, connections, the pool and the listener all come back", .timeLimit(.minutes(2)))
    func serverRestart() async throws {
        let server = try PrivateCluster()
        let pool = PostgresPool(configuration: server.configuration(), maxConnections: 2)
        let listener = try PostgresListener(configuration: server.configuration(applicationName: "restart-listener"), channels: ["wake"])
        listener.start()
        var events = listener.events.makeAsyncIterator()
        #expect(await events.next() == .connected(reconnect: false))
        try await pool.query("CREATE TABLE kept (v int)")
        try await pool.query("INSERT INTO kept VALUES (1)")

        try server.cluster.restart()

        // The first statement after the restart reconnects behind the scenes.
        let rows = try await pool.query("SELECT count(*) AS n FROM kept")
        #expect(try rows[0].decode(Int.self, "n") == 1)
        #expect(await events.next() == .connected(reconnect: true))
        try await pool.query("NOTIFY wake, 'after-restart'")
        #expect(await events.next() == .notification(channel: "wake", payload: "after-restart"))
        listener.stop()
        await pool.close()
    }
}
