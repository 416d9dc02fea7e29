import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Testing

/// Real `quarry worker` processes against the test database.
@Suite("Worker processes under faults", .serialized)
struct WorkerProcessTests {
    /// Starts a `quarry worker` process among `processes` (stopped, if still running, when the test ends).
    /// Its `sleep` tasks (the built-in `SleepHandler`) stand for work that takes time: how long they run is
    /// what the kill, stop and shutdown tests are about.
    static func worker(
        _ processes: ChildProcesses, schema: String, url: String = TestDatabase.connectionString, concurrency: Int = 16,
        kinds: String = "noop,sleep", extra: [String] = []
    ) throws -> ChildProcess {
        try processes.start(
            TestDatabase.quarryExecutable,
            ["worker", "--database-url", url, "--schema", schema, "--concurrency", String(concurrency), "--kinds", kinds,
             "--lease-seconds", "2", "--heartbeat-seconds", "0.5", "--shutdown-grace", "10"] + extra)
    }

    @Test("8 worker processes, 20,000 tasks: every task completed once, one result each", .timeLimit(.minutes(5)))
    func eightWorkers() async throws {
        try await QueueHarness.with { h in try await withChildProcesses { processes in
            let build = try await h.queue.createBuild(name: "many")
            let total = 20_000
            try await h.queue.enqueueCopy(buildID: build, count: total) { NewTask(kind: "noop", family: .generation, key: "t\($0)") }
            let log = NSTemporaryDirectory() + "quarry-exec-\(UUID().uuidString).log"
            let workers = try (0..<8).map { _ in try Self.worker(processes, schema: h.schema, concurrency: 64, extra: ["--execution-log", log]) }
            let finished = try await eventually(timeout: .seconds(240), every: .milliseconds(250)) {
                try await h.count("SELECT count(*) FROM \(identifier: h.schema).results") == total
            }
            workers.forEach { $0.signal(SIGTERM) }
            for worker in workers { #expect(await worker.waitForExit(timeout: .seconds(30)) == 0) }
            #expect(finished)
            #expect(try await h.states(build: build) == ["completed": total])
            #expect(try await h.count("SELECT count(DISTINCT task_id) FROM \(identifier: h.schema).results") == total)
            let executions = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").compactMap { Int($0) }
            #expect(Set(executions).count == total)
            // A task runs twice only when its lease was taken over: a worker starved of CPU past its 2 s lease
            // (8 processes on a loaded 2-core machine) has its tasks rescued and run elsewhere, and its own
            // late completion is rejected. Any other second run is a bug.
            var runs: [Int: Int] = [:]
            for id in executions { runs[id, default: 0] += 1 }
            let repeated = Set(runs.filter { $0.value > 1 }.keys)
            let takenOver = Set(try await h.pool.query(
                "SELECT DISTINCT task_id FROM \(identifier: h.schema).task_attempts WHERE error_class = 'lease_expired'"
            ).map { try $0.decode(Int.self, at: 0) })
            #expect(repeated.isSubset(of: takenOver),
                    "\(repeated.subtracting(takenOver).count) task(s) ran twice without their lease taken over; \(executions.count) runs of \(total) tasks, \(takenOver.count) leases taken over")
            // All 8 workers took part.
            #expect(try await h.count("SELECT count(DISTINCT worker) FROM \(identifier: h.schema).results") == 8)
        } }
    }

    @Test("kill -9 of a worker holding tasks: they are rescued and completed elsewhere", .timeLimit(.minutes(2)))
    func killNine() async throws {
        try await QueueHarness.with { h in try await withChildProcesses { processes in
            let build = try await h.queue.createBuild(name: "kill")
            try await h.queue.enqueue(buildID: build, (0..<40).map { NewTask(kind: "sleep", family: .generation, key: "s\($0)", payload: #"{"ms": 400}"#) })
            let victim = try Self.worker(processes, schema: h.schema, concurrency: 20)
            #expect(try await eventually(timeout: .seconds(20)) {
                try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks WHERE state = 'running'") == 20
            })
            victim.signal(SIGKILL)
            let killedAt = ContinuousClock.now
            let survivor = try Self.worker(processes, schema: h.schema, concurrency: 20)
            #expect(try await eventually(timeout: .seconds(60)) {
                try await h.count("SELECT count(*) FROM \(identifier: h.schema).results") == 40
            })
            // The dead worker is marked gone in the registry by the survivor's rescue pass once its heartbeat is
            // older than lease + heartbeat interval, which can come after its rescued tasks were completed: so
            // wait for it before stopping the survivor.
            #expect(try await eventually(timeout: .seconds(15)) {
                try await h.count("SELECT count(*) FROM \(identifier: h.schema).workers WHERE pid = \(Int32(victim.pid)) AND state = 'gone'") == 1
            })
            survivor.signal(SIGTERM)
            #expect(await survivor.waitForExit(timeout: .seconds(20)) == 0)
            #expect(try await h.states(build: build) == ["completed": 40])
            let rescued = try await h.count("SELECT count(*) FROM \(identifier: h.schema).task_attempts WHERE error_class = 'lease_expired'")
            #expect(rescued >= 1)
            // Rescued within lease (2 s) + heartbeat (0.5 s) + the time to run them (0.4 s each) and slack.
            #expect(ContinuousClock.now - killedAt < .seconds(30))
        } }
    }

    @Test("SIGSTOP past the lease, rescue, then SIGCONT: the late completion is rejected; one result", .timeLimit(.minutes(2)))
    func stoppedWorkerIsFenced() async throws {
        try await QueueHarness.with { h in try await withChildProcesses { processes in
            let build = try await h.queue.createBuild(name: "stop")
            try await h.queue.enqueue(buildID: build, [NewTask(kind: "sleep", family: .generation, key: "one", payload: #"{"ms": 2500}"#)])
            let stopped = try Self.worker(processes, schema: h.schema, concurrency: 1, extra: ["--no-rescue"])
            #expect(try await eventually(timeout: .seconds(20)) {
                try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks WHERE state = 'running'") == 1
            })
            stopped.signal(SIGSTOP)
            let rescuer = try Self.worker(processes, schema: h.schema, concurrency: 1)
            #expect(try await eventually(timeout: .seconds(30)) {
                try await h.count("SELECT count(*) FROM \(identifier: h.schema).results") == 1
            })
            stopped.signal(SIGCONT)
            // Woken, the stopped worker finds out at its next heartbeat or write-back that it lost the task.
            #expect(await eventually(timeout: .seconds(20)) {
                stopped.output.contains("taken over") || stopped.output.contains("rejected")
            })
            stopped.signal(SIGTERM)
            rescuer.signal(SIGTERM)
            #expect(await stopped.waitForExit(timeout: .seconds(20)) == 0)
            #expect(await rescuer.waitForExit(timeout: .seconds(20)) == 0)
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).results") == 1)
            let row = try await h.pool.query("SELECT t.attempt, t.lease_token, r.worker FROM \(identifier: h.schema).tasks t JOIN \(identifier: h.schema).results r ON r.task_id = t.id")[0]
            #expect(try row.decode(Int.self, "lease_token") == 2)
            let winner = try row.decode(String.self, "worker")
            #expect(winner.contains(":\(rescuer.pid):"))
            // The stopped worker noticed it had lost the task (heartbeat) or had its completion rejected.
            let said = stopped.output
            #expect(said.contains("taken over") || said.contains("rejected"), "stopped worker said: \(said.suffix(2000))")
        } }
    }

    @Test("SIGTERM during work: in-flight tasks finish, the rest are released without an attempt", .timeLimit(.minutes(2)))
    func sigterm() async throws {
        try await QueueHarness.with { h in try await withChildProcesses { processes in
            let build = try await h.queue.createBuild(name: "term")
            try await h.queue.enqueue(buildID: build, (0..<20).map { NewTask(kind: "sleep", family: .generation, key: "s\($0)", payload: #"{"ms": 1500}"#) })
            let worker = try Self.worker(processes, schema: h.schema, concurrency: 5)
            #expect(try await eventually(timeout: .seconds(20)) {
                try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks WHERE state = 'running'") == 5
            })
            worker.signal(SIGTERM)
            #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
            let states = try await h.states(build: build)
            #expect(states["completed"] == 5)
            #expect(states["available"] == 15)
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks WHERE state = 'available' AND attempt > 0") == 0)
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks WHERE state = 'completed' AND attempt = 1") == 5)
        } }
    }

    @Test("SIGTERM while the database is down: the worker stops within seconds, not after its grace period", .timeLimit(.minutes(2)))
    func stopWithDatabaseDown() async throws {
        try await PrivateCluster.with { server in
            try await TestDatabase.withPool(PostgresPool(configuration: server.configuration(), maxConnections: 2)) { pool in
                try await withChildProcesses { processes in
                    try await PostgresMigrator(pool: pool, schema: "quarry", migrations: try Migration.load(from: TestDatabase.migrationsDirectory)).migrate()
                    let worker = try Self.worker(processes, schema: "quarry", url: server.cluster.connectionString, concurrency: 4)
                    #expect(try await eventually(timeout: .seconds(30)) {
                        try await pool.query("SELECT count(*) AS n FROM quarry.workers WHERE pid = \(Int(worker.pid)) AND state = 'alive'")[0]
                            .decode(Int.self, "n") == 1
                    })
                    try server.cluster.stop()
                    // The claim loop is now waiting for the database to come back (the pool's reconnect timeout is a minute).
                    #expect(await eventually(timeout: .seconds(30)) { worker.output.contains("PostgreSQL unreachable") })
                    let signalled = ContinuousClock.now
                    worker.signal(SIGTERM)
                    #expect(await worker.waitForExit(timeout: .seconds(60)) == 0)
                    // Without the cut, the stop took the grace period (10 s) + 15 s, when the service group cancels.
                    #expect(ContinuousClock.now - signalled < .seconds(15), "stopped after \(ContinuousClock.now - signalled)")
                }
            }
        }
    }

    @Test("pg_ctl restart -m fast during processing: workers reconnect and everything completes", .timeLimit(.minutes(3)))
    func databaseRestart() async throws {
        try await PrivateCluster.with { server in
            try await TestDatabase.withPool(PostgresPool(configuration: server.configuration(), maxConnections: 2)) { pool in
                try await withChildProcesses { processes in
                    let schema = "quarry"
                    try await PostgresMigrator(pool: pool, schema: schema, migrations: try Migration.load(from: TestDatabase.migrationsDirectory)).migrate()
                    let queue = TaskQueue(pool: pool, configuration: QueueConfiguration(schema: schema))
                    let build = try await queue.createBuild(name: "restart")
                    try await queue.enqueue(buildID: build, (0..<300).map { NewTask(kind: "sleep", family: .generation, key: "s\($0)", payload: #"{"ms": 50}"#) })
                    let workers = try (0..<2).map { _ in try Self.worker(processes, schema: schema, url: server.cluster.connectionString, concurrency: 4) }
                    func completed() async throws -> Int {
                        try await pool.query("SELECT count(*) AS n FROM quarry.results")[0].decode(Int.self, "n")
                }
                #expect(try await eventually(timeout: .seconds(30)) { try await completed() > 30 })
                try server.cluster.restart()
                #expect(try await eventually(timeout: .seconds(120), every: .milliseconds(500)) { try await completed() == 300 })
                workers.forEach { $0.signal(SIGTERM) }
                for worker in workers { #expect(await worker.waitForExit(timeout: .seconds(60)) == 0) }
                let states = try await pool.query("SELECT state, count(*) AS n FROM quarry.tasks GROUP BY state")
                #expect(try states.map { "\(try $0.decode(String.self, "state"))=\(try $0.decode(Int.self, "n"))" } == ["completed=300"])
                #expect(workers.contains { $0.output.contains("reconnect") || $0.output.contains("re-established") })
                }
            }
        }
    }
}
