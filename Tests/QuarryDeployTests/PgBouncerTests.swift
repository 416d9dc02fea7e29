import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Testing

/// Workers through PgBouncer in transaction pooling mode, for real: claims, heartbeats and results go
/// through the pooler, LISTEN and the rescuer's leader lock over --listen-database-url.
@Suite("PgBouncer in transaction mode", .serialized)
struct PgBouncerTests {
    static func worker(_ bouncer: TestPgBouncer, schema: String, listen: Bool = true, extra: [String] = []) throws -> ChildProcess {
        try ChildProcess(
            TestDatabase.quarryExecutable,
            ["worker", "--database-url", bouncer.url, "--schema", schema, "--concurrency", "8", "--kinds", "noop,sleep",
             "--lease-seconds", "2", "--heartbeat-seconds", "0.5", "--shutdown-grace", "10"]
                + (listen ? ["--listen-database-url", TestDatabase.connectionString] : []) + extra)
    }

    static func count(_ pool: PostgresPool, _ sql: PostgresQuery) async throws -> Int {
        try await pool.query(sql)[0].decode(Int.self, at: 0)
    }

    @Test("the shipped pgbouncer.ini pools by transaction")
    func shippedMode() async throws {
        let settings = try TestPgBouncer.shippedSettings()
        #expect(settings["pool_mode"] == "transaction")
        #expect(settings["max_prepared_statements"] == nil || settings["max_prepared_statements"] == "0",
                "Quarry uses unnamed statements only; PgBouncer's prepared-statement tracking is not needed")
    }

    @Test("a build through PgBouncer with 3 worker processes and a coordinator, one worker killed with -9: every task completed exactly once", .timeLimit(.minutes(5)))
    func buildThroughPgBouncer() async throws {
        try await TestPgBouncer.with { bouncer in
            let pool = TestDatabase.pool(maxConnections: 2)
            do {
                try await Self.build(bouncer, pool)
            } catch {
                await pool.close()
                throw error
            }
            await pool.close()
        }
    }

    private static func build(_ bouncer: TestPgBouncer, _ pool: PostgresPool) async throws {
        let schema = try await TestDatabase.migratedSchema(pool: pool, prefix: "bouncer")
        let queue = TaskQueue(pool: pool, configuration: QueueConfiguration(schema: schema))
        let build = try await queue.createBuild(name: "through-pgbouncer")
        let total = 600
        _ = try await queue.enqueue(
            buildID: build, (0..<total).map { NewTask(kind: "sleep", family: .generation, key: "s\($0)", payload: #"{"ms": 150}"#) })
        // A coordinator too: its leader lock and rescuer lock on the direct connection, the rest pooled.
        let coordinator = try ChildProcess(
            TestDatabase.quarryExecutable,
            ["coordinator", "--database-url", bouncer.url, "--listen-database-url", TestDatabase.connectionString, "--schema", schema,
             "--progress-seconds", "0", "--lease-seconds", "2", "--heartbeat-seconds", "0.5"])
        let healthPort = try PostgresCluster.freePort()
        let victim = try worker(bouncer, schema: schema)
        let survivors = [
            try worker(bouncer, schema: schema, extra: ["--health-port", String(healthPort), "--health-host", "127.0.0.1"]),
            try worker(bouncer, schema: schema),
        ]
        func results() async throws -> Int { try await count(pool, "SELECT count(*) FROM \(identifier: schema).results") }

        // Kill the victim while it holds tasks, once the pool is well under way.
        let holding = try await eventually(timeout: .seconds(60)) {
            let held = try await count(
                pool,
                "SELECT count(*) FROM \(identifier: schema).tasks WHERE state = 'running' AND lease_owner LIKE \("%:\(victim.pid):%")")
            return try await results() >= 60 && held > 0
        }
        #expect(holding, "the victim never held tasks: \(victim.output.suffix(2000))")
        victim.signal(SIGKILL)

        // The surviving worker's probes answer through the pooler.
        // (Polled: on a loaded machine one heartbeat can come late, and readiness says so.)
        var ready = (status: Int32(0), output: "")
        #expect(try await eventually(timeout: .seconds(15)) {
            ready = try await DeployTools.run(["curl", "-s", "-w", "\n%{http_code}", "http://127.0.0.1:\(healthPort)/readyz"])
            return ready.output.hasSuffix("\n200")
        }, "readyz: \(ready.output)")
        #expect(ready.output.contains(#""state":"alive""#) && ready.output.contains(#""database":"ok""#), "readyz: \(ready.output)")
        let live = try await DeployTools.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(healthPort)/livez"])
        #expect(live.output == "200", "livez: \(live.output)")

        let finished = try await eventually(timeout: .seconds(180), every: .milliseconds(250)) { try await results() == total }
        let done = try await results()
        #expect(finished, "results: \(done) of \(total)")
        // The victim is marked gone by the rescuer (leading over its direct connection) once its heartbeat lapses.
        #expect(try await eventually(timeout: .seconds(30)) {
            try await count(pool, "SELECT count(*) FROM \(identifier: schema).workers WHERE pid = \(Int32(victim.pid)) AND state = 'gone'") == 1
        })
        // LISTEN runs on each worker's direct connection (a pooled one would lose it after its transaction).
        let listening = try await count(
            pool, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'quarry-worker:%' AND query LIKE \("LISTEN %")")
        #expect(listening >= survivors.count, "direct LISTEN connections: \(listening)")

        // PgBouncer's clients are the pooled connections: workers' and the coordinator's pools, and no
        // leader-lock connection (those are direct).
        let clients = try await bouncer.admin("SHOW CLIENTS").compactMap { $0["application_name"] }
        #expect(clients.contains { $0.hasPrefix("quarry-worker:") } && clients.contains { $0.hasPrefix("quarry-coordinator:") }, "clients: \(clients)")
        #expect(!clients.contains { $0.hasSuffix(":leader") || $0.hasSuffix(":rescuer") }, "clients: \(clients)")
        let leaders = try await count(
            pool,
            """
            SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND (a.application_name LIKE '%:leader' OR a.application_name LIKE '%:rescuer')
            """)
        #expect(leaders >= 2, "the coordinator's and a rescuer's session locks: \(leaders)")

        coordinator.signal(SIGTERM)
        #expect(await coordinator.waitForExit(timeout: .seconds(30)) == 0, "coordinator said: \(coordinator.output.suffix(2000))")
        survivors.forEach { $0.signal(SIGTERM) }
        for survivor in survivors {
            #expect(await survivor.waitForExit(timeout: .seconds(30)) == 0, "worker said: \(survivor.output.suffix(2000))")
        }

        // Every task completed, each with exactly one result; the victim's tasks were rescued and rerun.
        let states = try await pool.query("SELECT state, count(*) AS n FROM \(identifier: schema).tasks GROUP BY state")
        #expect(try states.map { "\(try $0.decode(String.self, "state"))=\(try $0.decode(Int.self, "n"))" } == ["completed=\(total)"])
        #expect(try await count(pool, "SELECT count(*) FROM \(identifier: schema).results") == total)
        #expect(try await count(pool, "SELECT count(DISTINCT task_id) FROM \(identifier: schema).results") == total)
        #expect(try await count(pool, "SELECT count(*) FROM \(identifier: schema).task_attempts WHERE error_class = 'lease_expired'") >= 1)
        #expect(try await count(pool, "SELECT count(DISTINCT worker) FROM \(identifier: schema).results") >= 2)

        // And the claims and results really went through PgBouncer, in transaction mode.
        let config = try await bouncer.admin("SHOW CONFIG")
        #expect(config.first { $0["key"] == "pool_mode" }?["value"] == "transaction")
        let stats = try await bouncer.admin("SHOW STATS")
        let transactions = stats.first { $0["database"] == bouncer.database }.flatMap { Int($0["total_xact_count"] ?? "") } ?? 0
        #expect(transactions >= total / 8, "PgBouncer carried \(transactions) transactions; stats: \(stats)")
    }

    @Test("without --listen-database-url a worker's startup options are refused by PgBouncer, with its message")
    func sessionStateRefused() async throws {
        try await TestPgBouncer.with { bouncer in
            let worker = try Self.worker(bouncer, schema: "quarry", listen: false)
            let refused = await eventually(timeout: .seconds(30)) { worker.output.contains("unsupported startup parameter: options") }
            worker.signal(SIGKILL)
            _ = await worker.waitForExit(timeout: .seconds(10))
            #expect(refused, "worker said: \(worker.output.suffix(2000))")
        }
    }

    @Test("with QUARRY_DATABASE_URL on PgBouncer and QUARRY_LISTEN_DATABASE_URL direct, migrate, status and a worker all work")
    func environmentOnly() async throws {
        try await TestPgBouncer.with { bouncer in
            let schema = TestDatabase.uniqueSchema("bouncerenv")
            let environment = ["QUARRY_DATABASE_URL": bouncer.url, "QUARRY_LISTEN_DATABASE_URL": TestDatabase.connectionString, "QUARRY_SCHEMA": schema]
            // migrate takes a session advisory lock, so it goes to the direct URL by itself.
            let migrated = try await ChildProcess.complete([TestDatabase.quarryExecutable, "migrate"], environment: environment)
            #expect(migrated.status == 0, "migrate: \(migrated.output)")
            let status = try await ChildProcess.complete([TestDatabase.quarryExecutable, "status"], environment: environment)
            #expect(status.status == 0, "status through PgBouncer: \(status.output)")
            let pool = TestDatabase.pool(maxConnections: 1)
            do {
                let queue = TaskQueue(pool: pool, configuration: QueueConfiguration(schema: schema))
                let build = try await queue.createBuild(name: "env")
                _ = try await queue.enqueue(buildID: build, (0..<50).map { NewTask(kind: "noop", family: .generation, key: "n\($0)") })
                let worker = try ChildProcess(TestDatabase.quarryExecutable, ["worker", "--kinds", "noop"], environment: environment)
                let done = try await eventually(timeout: .seconds(60)) {
                    try await Self.count(pool, "SELECT count(*) FROM \(identifier: schema).results") == 50
                }
                worker.signal(SIGTERM)
                #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
                #expect(done, "worker said: \(worker.output.suffix(2000))")
            } catch {
                await pool.close()
                throw error
            }
            await pool.close()
        }
    }
}
