import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Testing

/// The scoped helpers clean up when the test body throws (a failed `#require` throws too), not only when it
/// returns: otherwise a failing test would leave workers claiming tasks and processes running.
@Suite("Scoped teardown when a test throws")
struct ScopedTeardownTests {
    struct Planned: Error {}

    @Test("whileRunning: a throw stops the worker at once, its running task released, and the harness drops its schema")
    func workerStopsOnThrow() async throws {
        var schema = ""
        await #expect(throws: Planned.self) {
            try await QueueHarness.with { h in
                schema = h.schema
                let build = try await h.queue.createBuild(name: "throws")
                try await h.queue.enqueue(buildID: build, [NewTask(kind: "sleep", family: .generation, key: "long", payload: #"{"ms": 60000}"#)])
                let worker = Worker(
                    queue: h.queue, handlers: .with("sleep", SleepHandler()),
                    configuration: WorkerConfiguration(concurrency: 1, shutdownGrace: .seconds(60), runRescuer: false))
                let started = ContinuousClock.now
                do {
                    try await whileRunning(worker) {
                        try #require(await eventually { try await h.states(build: build) == ["running": 1] })
                        throw Planned()
                    }
                } catch let error as Planned {
                    // Cancelled, not given its 60 s grace: the task went back without using an attempt.
                    #expect(ContinuousClock.now - started < .seconds(30))
                    #expect(try await h.states(build: build) == ["available": 1])
                    let row = try await h.pool.query("SELECT state FROM \(identifier: h.schema).workers")[0]
                    #expect(try row.decode(String.self, "state") == "stopped")
                    throw error
                }
            }
        }
        let left = try await TestDatabase.withPool(maxConnections: 1) { pool in
            try await pool.query("SELECT count(*) FROM pg_namespace WHERE nspname = \(schema)")[0].decode(Int.self, at: 0)
        }
        #expect(left == 0, "schema \(schema) was not dropped")
    }

    @Test("withChildProcesses: a throw stops the processes still running")
    func processesStopOnThrow() async throws {
        var pid: pid_t = 0
        await #expect(throws: Planned.self) {
            try await withChildProcesses { processes in
                let child = try processes.start("/bin/sleep", ["600"])
                pid = child.pid
                throw Planned()
            }
        }
        // Reaped, so the pid names no process of ours any more.
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
    }
}
