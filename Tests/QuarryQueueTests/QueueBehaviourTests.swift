import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Synchronization
import Testing

@Suite("Queue behaviour (in-process workers)")
struct QueueBehaviourTests {
    @Test("enqueue is idempotent per build and key")
    func idempotentEnqueue() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "idem")
            let tasks = (0..<100).map { NewTask(kind: "noop", family: .generation, key: "k\($0)") }
            #expect(try await h.queue.enqueue(buildID: build, tasks).count == 100)
            #expect(try await h.queue.enqueue(buildID: build, tasks + [NewTask(kind: "noop", family: .generation, key: "new")]).count == 1)
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks") == 101)
            // Another build may reuse the keys.
            let other = try await h.queue.createBuild(name: "other")
            #expect(try await h.queue.enqueue(buildID: other, tasks).count == 100)
        }
    }

    @Test("claims hand out each task once, in priority order, and skip paused builds")
    func claimOrderAndPause() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "order")
            let paused = try await h.queue.createBuild(name: "paused")
            try await h.queue.enqueue(buildID: build, [
                NewTask(kind: "noop", family: .generation, key: "low", priority: 5),
                NewTask(kind: "noop", family: .generation, key: "high", priority: 0),
                NewTask(kind: "noop", family: .verification, key: "verify", priority: 1),
                NewTask(kind: "noop", family: .generation, key: "later", delay: .seconds(60)),
            ])
            try await h.queue.enqueue(buildID: paused, [NewTask(kind: "noop", family: .generation, key: "p")])
            try await h.queue.pauseBuild(paused, reason: "test")
            let verifiers = try await h.queue.claim(worker: "w1", limit: 10, families: [.verification])
            #expect(verifiers.map(\.key) == ["verify"])
            let claimed = try await h.queue.claim(worker: "w2", limit: 10)
            #expect(claimed.map(\.key) == ["high", "low"])
            #expect(claimed.allSatisfy { $0.attempt == 1 && $0.leaseToken == 1 })
            #expect(try await h.queue.claim(worker: "w3", limit: 10).isEmpty)
            try await h.queue.resumeBuild(paused)
            #expect(try await h.queue.claim(worker: "w3", limit: 10).map(\.key) == ["p"])
        }
    }

    @Test("failures back off and retry, then go dead after max attempts; retry-dead requeues them")
    func retriesThenDead() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "retry")
            try await h.queue.enqueue(buildID: build, [
                NewTask(kind: "flaky", family: .generation, key: "recovers", payload: #"{"fail": 2}"#, maxAttempts: 3),
                NewTask(kind: "flaky", family: .generation, key: "never", payload: #"{"fail": 99}"#, maxAttempts: 3),
                NewTask(kind: "flaky", family: .generation, key: "fatal", payload: #"{"fatal": true}"#, maxAttempts: 3),
            ])
            struct Payload: Decodable { var fail: Int?; var fatal: Bool? }
            let handler = ClosureHandler { task in
                let payload = try task.decodePayload(Payload.self)
                if payload.fatal == true { throw TaskError.permanent("bad_input", "cannot ever work") }
                if task.attempt <= payload.fail ?? 0 { throw TaskError.retryable("flaky", "attempt \(task.attempt) failed") }
                return TaskOutput(json: #"{"ok": true}"#)
            }
            let worker = Worker(queue: h.queue, handlers: .with("flaky", handler), configuration: WorkerConfiguration(concurrency: 4, runRescuer: false))
            let done = try await h.run(worker) { try await h.states(build: build) == ["completed": 1, "dead": 2] }
            #expect(done)
            let rows = try await h.pool.query(
                "SELECT key, attempt, last_error_class, (SELECT count(*) FROM \(identifier: h.schema).task_attempts a WHERE a.task_id = t.id) AS logged FROM \(identifier: h.schema).tasks t ORDER BY key")
            let summary = try rows.map { "\(try $0.decode(String.self, "key")):\(try $0.decode(Int.self, "attempt")):\(try $0.decode(String?.self, "last_error_class") ?? "-"):\(try $0.decode(Int.self, "logged"))" }
            #expect(summary == ["fatal:1:bad_input:1", "never:3:flaky:3", "recovers:3:flaky:2"])
            let dead = try await h.queue.monitor(.deadTasks, build: build)
            #expect(dead.rows.count == 2)
            #expect(try await h.queue.retryDead(buildID: build, kind: "flaky") == 2)
            #expect(try await h.states(build: build) == ["completed": 1, "available": 2])
        }
    }

    @Test("a snooze does not consume an attempt, and is bounded")
    func snoozeDoesNotConsumeAttempts() async throws {
        try await QueueHarness.with(maxSnoozes: 3) { h in
            let build = try await h.queue.createBuild(name: "snooze")
            try await h.queue.enqueue(buildID: build, [NewTask(kind: "limited", family: .generation, key: "a", maxAttempts: 2)])
            let handler = ClosureHandler { task in
                throw TaskError.snooze("rate_limited", "429 Retry-After", after: .milliseconds(20))
            }
            let worker = Worker(queue: h.queue, handlers: .with("limited", handler), configuration: WorkerConfiguration(concurrency: 1, runRescuer: false))
            #expect(try await h.run(worker) { try await h.states(build: build) == ["dead": 1] })
            let row = try await h.pool.query("SELECT attempt, snoozes, last_error_class FROM \(identifier: h.schema).tasks")[0]
            // Three snoozes are free; the fourth and fifth count as failed attempts (2 of 2), then dead.
            #expect(try row.decode(Int.self, "snoozes") == 3)
            #expect(try row.decode(Int.self, "attempt") == 2)
            #expect(try row.decode(String.self, "last_error_class") == "snooze_limit")
        }
    }

    @Test("a late completion after the lease was taken over changes nothing")
    func fencing() async throws {
        try await QueueHarness.with(lease: .milliseconds(300)) { h in
            let build = try await h.queue.createBuild(name: "fence")
            try await h.queue.enqueue(buildID: build, [NewTask(kind: "noop", family: .generation, key: "a")])
            let first = try #require(try await h.queue.claim(worker: "slow", limit: 1).first)
            // The slow worker stops heartbeating; the rescuer requeues the task once its lease has expired.
            #expect(try await eventually { try await h.queue.rescue().requeued == 1 })
            let second = try #require(try await h.queue.claim(worker: "fast", limit: 1).first)
            #expect(second.leaseToken == first.leaseToken + 1)
            #expect(second.attempt == 2)
            let fast = try await h.queue.settle(worker: "fast", [TaskOutcome(taskID: second.id, leaseToken: second.leaseToken, kind: .completed(TaskOutput(json: #"{"by":"fast"}"#)))])
            #expect(fast.completed == [second.id])
            // The slow worker wakes up and reports its result, and then a failure: both rejected.
            let late = try await h.queue.settle(worker: "slow", [
                TaskOutcome(taskID: first.id, leaseToken: first.leaseToken, kind: .completed(TaskOutput(json: #"{"by":"slow"}"#))),
            ])
            #expect(late.rejected == [first.id])
            let lateFailure = try await h.queue.settle(worker: "slow", [
                TaskOutcome(taskID: first.id, leaseToken: first.leaseToken, kind: .failed(errorClass: "x", message: "y", retryDelay: .zero)),
            ])
            #expect(lateFailure.rejected == [first.id])
            let results = try await h.pool.query("SELECT output->>'by' AS by FROM \(identifier: h.schema).results")
            #expect(try results.map { try $0.decode(String.self, "by") } == ["fast"])
            #expect(try await h.states(build: build) == ["completed": 1])
            let attempts = try await h.pool.query("SELECT error_class, worker FROM \(identifier: h.schema).task_attempts")
            #expect(try attempts.map { try $0.decode(String.self, "error_class") } == ["lease_expired"])
        }
    }

    @Test("cancelling a build cancels waiting tasks and stops running handlers at the next heartbeat")
    func cancelBuild() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "cancel")
            try await h.queue.enqueue(buildID: build, (0..<10).map { NewTask(kind: "slow", family: .generation, key: "k\($0)") })
            let started = ExecutionCounter()
            let handler = ClosureHandler { task in
                started.record(task.id)
                // Busy until cancelled: the subject is a handler still running when its build is cancelled.
                try await Task.sleep(for: .seconds(30))
                return TaskOutput(json: "{}")
            }
            let worker = Worker(queue: h.queue, handlers: .with("slow", handler), configuration: WorkerConfiguration(concurrency: 3, runRescuer: false))
            try await whileRunning(worker) { () async throws in
                #expect(await eventually(timeout: .seconds(10)) { started.snapshot.count == 3 })
                #expect(try await h.queue.cancelBuild(build) == 10)
                // Running handlers notice at the next heartbeat (300 ms here) and stop; nothing more is claimed.
                #expect(await eventually(timeout: .seconds(5)) { worker.stats.lost == 3 })
                worker.requestShutdown()
            }
            #expect(try await h.states(build: build) == ["cancelled": 10])
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).results") == 0)
            #expect(try await h.queue.build(build)?.state == .cancelled)
        }
    }

    @Test("a handler that reports bad credentials pauses its build; the task waits without losing an attempt")
    func pauseBuildFromHandler() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "auth")
            try await h.queue.enqueue(buildID: build, [NewTask(kind: "auth", family: .generation, key: "a")])
            let handler = ClosureHandler { _ in throw TaskError(errorClass: "unauthorized", message: "401", action: .pauseBuild(reason: "endpoint rejected the API key")) }
            let worker = Worker(queue: h.queue, handlers: .with("auth", handler), configuration: WorkerConfiguration(concurrency: 1, runRescuer: false))
            #expect(try await h.run(worker) { try await h.queue.build(build)?.state == .paused })
            let info = try await h.queue.build(build)
            #expect(info?.stateReason == "endpoint rejected the API key")
            let row = try await h.pool.query("SELECT state, attempt FROM \(identifier: h.schema).tasks")[0]
            #expect(try row.decode(String.self, "state") == "available")
            #expect(try row.decode(Int.self, "attempt") == 0)
        }
    }

    @Test("an idle worker starts a newly enqueued task within milliseconds (LISTEN/NOTIFY)")
    func wakeUpLatency() async throws {
        try await QueueHarness.with { h in
            // Poll only every 10 s, so only a notification can explain a fast start.
            let slowPoll = TaskQueue(pool: h.pool, configuration: QueueConfiguration(schema: h.schema, pollInterval: .seconds(10), notifyDebounce: .milliseconds(1)))
            let build = try await slowPoll.createBuild(name: "latency")
            let worker = Worker(queue: slowPoll, handlers: .with("noop", NoopHandler()), configuration: WorkerConfiguration(concurrency: 1, runRescuer: false))
            try await whileRunning(worker) {
                // Registered and listening: from now on only a notification can start a task quickly.
                try #require(await eventually(timeout: .seconds(10)) { worker.isListening })
                try await slowPoll.enqueue(buildID: build, [NewTask(kind: "noop", family: .generation, key: "x")])
                #expect(try await eventually(timeout: .seconds(5), every: .milliseconds(10)) {
                    try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks WHERE state <> 'available'") == 1
                })
                let latency = try await h.pool.query(
                    "SELECT extract(epoch FROM started_at - created_at) * 1000 AS ms FROM \(identifier: h.schema).tasks")[0].decode(Double.self, "ms")
                #expect(latency < 1_000, "enqueue→start took \(latency) ms")
                worker.requestShutdown()
            }
        }
    }

    @Test("a write of outcomes that waits on a row lock does not hold up the heartbeat of the other tasks")
    func heartbeatDoesNotWaitForAWrite() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "heartbeat")
            try await h.queue.enqueue(buildID: build, ["a", "b"].map { NewTask(kind: "gated", family: .generation, key: $0) })
            let started = ExecutionCounter()
            let released = Mutex<Set<String>>([])
            let handler = ClosureHandler { task in
                started.record(task.id)
                _ = await eventually(timeout: .seconds(60)) { released.withLock { $0.contains(task.key) } }
                return TaskOutput(json: "{}")
            }
            let worker = Worker(queue: h.queue, handlers: .with("gated", handler), configuration: WorkerConfiguration(concurrency: 2, runRescuer: false))
            func id(_ key: String) async throws -> Int {
                try await h.count("SELECT id FROM \(identifier: h.schema).tasks WHERE build_id = \(build) AND key = \(key)")
            }
            try await withTaskScope { scope in
                try await whileRunning(worker) { () async throws in
                    #expect(await eventually(timeout: .seconds(10)) { started.snapshot.count == 2 })
                    let a = try await id("a"), b = try await id("b")
                    // Another session holds task a's row (an operator's transaction, a slow statement), so writing
                    // a's outcome waits for it.
                    let locked = Mutex(false), unlock = Mutex(false)
                    scope.start {
                        try await h.pool.transaction { connection in
                            _ = try await connection.query("SELECT id FROM \(identifier: h.schema).tasks WHERE id = \(a) FOR UPDATE")
                            locked.withLock { $0 = true }
                            _ = await eventually(timeout: .seconds(60)) { unlock.withLock { $0 } }
                        }
                    }
                    #expect(await eventually { locked.withLock { $0 } })
                    released.withLock { _ = $0.insert("a") }
                    #expect(try await eventually {
                        try await h.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%complete_tasks%'") == 1
                    }, "the write of a's outcome waits on the lock")
                    // Task b still runs: its lease must go on being renewed while a's write waits.
                    func renewals() async throws -> (heartbeat: Int, leaseOfB: Int) {
                        let row = try await h.pool.query(
                            """
                            SELECT (extract(epoch FROM w.heartbeat_at) * 1000000)::int8 AS heartbeat,
                                   (SELECT (extract(epoch FROM t.lease_until) * 1000000)::int8 FROM \(identifier: h.schema).tasks t WHERE t.id = \(b)) AS lease
                            FROM \(identifier: h.schema).workers w WHERE w.id = \(worker.registration.id)
                            """)[0]
                        return (try row.decode(Int.self, "heartbeat"), try row.decode(Int.self, "lease"))
                    }
                    let before = try await renewals()
                    #expect(try await eventually {
                        let now = try await renewals()
                        return now.heartbeat > before.heartbeat && now.leaseOfB > before.leaseOfB
                    }, "heartbeats went on while the write waited")
                    unlock.withLock { $0 = true }
                    released.withLock { _ = $0.insert("b") }
                    #expect(try await eventually { try await h.states(build: build) == ["completed": 2] })
                }
            }
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks t JOIN \(identifier: h.schema).results r ON r.task_id = t.id WHERE t.build_id = \(build)") == 2)
        }
    }

    @Test("a full buffer of short tasks is written between claims, not at the flush interval")
    func claimLoopWritesFullBuffer() async throws {
        try await QueueHarness.with { h in
            // A flush interval of an hour: only a write of the full buffer between claims completes these in time.
            let queue = TaskQueue(
                pool: h.pool,
                configuration: QueueConfiguration(schema: h.schema, flushInterval: .seconds(3600), flushBatchSize: 10, pollInterval: .milliseconds(200)))
            let build = try await queue.createBuild(name: "short")
            try await queue.enqueue(buildID: build, (0..<100).map { NewTask(kind: "noop", family: .generation, key: "t\($0)") })
            let worker = Worker(queue: queue, handlers: .with("noop", NoopHandler()), configuration: WorkerConfiguration(concurrency: 10, runRescuer: false))
            #expect(try await h.run(worker, timeout: .seconds(20)) {
                try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks WHERE state = 'completed'") == 100
            })
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).results") == 100)
        }
    }

    @Test("on shutdown, in-flight tasks finish within the grace period; after it they are released without an attempt")
    func gracefulShutdown() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "grace")
            try await h.queue.enqueue(buildID: build, [
                // Durations are the subject: one task ends within the grace period, one does not.
                NewTask(kind: "sleep", family: .generation, key: "short", payload: #"{"ms": 300}"#),
                NewTask(kind: "sleep", family: .generation, key: "long", payload: #"{"ms": 60000}"#),
                NewTask(kind: "sleep", family: .generation, key: "waiting", payload: #"{"ms": 10}"#, delay: .seconds(3600)),
            ])
            let worker = Worker(
                queue: h.queue, handlers: .with("sleep", SleepHandler()),
                configuration: WorkerConfiguration(concurrency: 4, shutdownGrace: .seconds(1), runRescuer: false))
            try await whileRunning(worker) { () async throws in
                #expect(try await eventually(timeout: .seconds(5)) {
                    try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks WHERE state = 'running'") == 2
                })
                worker.requestShutdown()
            }
            let rows = try await h.pool.query("SELECT key, state, attempt FROM \(identifier: h.schema).tasks ORDER BY key")
            let summary = try rows.map { "\(try $0.decode(String.self, "key"))=\(try $0.decode(String.self, "state"))/\(try $0.decode(Int.self, "attempt"))" }
            #expect(summary == ["long=available/0", "short=completed/1", "waiting=available/0"])
            let workerRow = try await h.pool.query("SELECT state FROM \(identifier: h.schema).workers")[0]
            #expect(try workerRow.decode(String.self, "state") == "stopped")
        }
    }

    @Test("the monitoring views count from the ledger and agree with the table")
    func viewsAgree() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "views")
            try await h.queue.enqueueCopy(buildID: build, count: 500) { NewTask(kind: $0 % 2 == 0 ? "noop" : "noop2", family: .generation, key: "k\($0)") }
            var registry = HandlerRegistry()
            registry.register("noop", NoopHandler())
            let worker = Worker(queue: h.queue, handlers: registry, configuration: WorkerConfiguration(concurrency: 50, runRescuer: false))
            #expect(try await h.run(worker) { try await h.states(build: build)["completed"] == 250 })
            try await h.queue.foldCounts()
            let depth = try await h.queue.monitor(.queueDepth, build: build)
            let byKindState = Dictionary(uniqueKeysWithValues: depth.rows.map { ("\($0[2]!)/\($0[3]!)", $0[4]!) })
            #expect(byKindState == ["noop/completed": "250", "noop2/available": "250"])
            let progress = try await h.queue.monitor(.buildProgress, build: build)
            let completedColumn = try #require(progress.columns.firstIndex(of: "completed"))
            #expect(progress.rows.first?[completedColumn] == "250")
            let throughput = try await h.queue.monitor(.throughput)
            // The 5-minute rate (250 / 5): the 1-minute column only counts minute buckets that began less than a
            // minute ago, so it reads 0 when the completions fell in the previous minute.
            let fiveMinutes = try #require(throughput.columns.firstIndex(of: "per_minute_5m"))
            #expect(throughput.rows.contains { $0[0] == nil && $0[fiveMinutes] == "50" })
        }
    }
}
