import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Testing

@Suite("Build outcomes and the systemic-failure breaker")
struct BuildOutcomeTests {
    @Test("the outcome follows the dead tasks: none → completed, some → completed_with_errors, too many or a stage with nothing → failed")
    func decide() {
        typealias Stage = BuildOutcome.StageCount
        #expect(BuildOutcome.decide(stages: ["a": Stage(completed: 10, dead: 0)], maxDeadFraction: nil).state == .completed)
        let some = BuildOutcome.decide(stages: ["a": Stage(completed: 9, dead: 1)], maxDeadFraction: nil)
        #expect(some.state == .completedWithErrors)
        #expect(some.reason == "1 of 10 task(s) died (10 %)")
        let many = BuildOutcome.decide(stages: ["a": Stage(completed: 7, dead: 3)], maxDeadFraction: nil)
        #expect(many.state == .failed)
        #expect(many.reason?.contains("more than max_dead_fraction 20 %") == true)
        #expect(BuildOutcome.decide(stages: ["a": Stage(completed: 7, dead: 3)], maxDeadFraction: 0.5).state == .completedWithErrors)
        let empty = BuildOutcome.decide(stages: ["a": Stage(completed: 100, dead: 0), "b": Stage(completed: 0, dead: 2)], maxDeadFraction: 1)
        #expect(empty.state == .failed)
        #expect(empty.reason == "stage 'b' produced nothing: all 2 of its task(s) died")
        #expect(BuildOutcome.decide(stages: [:], maxDeadFraction: nil).state == .failed)
    }

    /// Runs a one-stage build whose `work` tasks die when `dies(line)`, to its end; returns its final row.
    func runBuild(records: Int, maxDeadFraction: Double? = nil, dies: @escaping @Sendable (Int) -> Bool) async throws -> BuildInfo? {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "outcome", recipe: "one", graph: BuildGraph(), maxDeadFraction: maxDeadFraction, pausedReason: "loading")
            try await h.queue.enqueue(
                buildID: build, (1...records).map { NewTask(kind: "work", family: .generation, key: "r\($0)/work", payload: "{\"line\": \($0)}", maxAttempts: 1) })
            try await h.queue.resumeBuild(build)
            struct Seeded: Decodable { var line: Int }
            let handler = ClosureHandler { task in
                let line = try task.decodePayload(Seeded.self).line
                if dies(line) { throw TaskError.permanent("bad_input", "record \(line) cannot be used") }
                return TaskOutput(json: "{}")
            }
            // The breaker stays off here: these deaths carry no signature anyway.
            let worker = Worker(queue: h.queue, handlers: .with("work", handler), configuration: WorkerConfiguration(concurrency: 4, runRescuer: false))
            let coordinating = Task { try await Coordinator(queue: h.queue).run() }
            _ = try await h.run(worker, timeout: .seconds(60)) { try await h.queue.build(build)?.state.isFinished == true }
            coordinating.cancel()
            try await coordinating.value
            return try await h.queue.build(build)
        }
    }

    @Test("a build with no dead tasks ends completed")
    func noneDead() async throws {
        let info = try await runBuild(records: 6) { _ in false }
        #expect(info?.state == .completed)
        #expect(info?.stateReason == nil)
    }

    @Test("a build with some dead tasks ends completed_with_errors, saying how many")
    func someDead() async throws {
        let info = try await runBuild(records: 10) { $0 == 3 }
        #expect(info?.state == .completedWithErrors)
        #expect(info?.stateReason == "1 of 10 task(s) died (10 %)")
    }

    @Test("a build whose every task died ends failed, not completed")
    func allDead() async throws {
        let info = try await runBuild(records: 5) { _ in true }
        #expect(info?.state == .failed)
        #expect(info?.stateReason == "stage 'work' produced nothing: all 5 of its task(s) died")
    }

    @Test("more dead than the build's max_dead_fraction ends failed")
    func overFraction() async throws {
        let info = try await runBuild(records: 10, maxDeadFraction: 0.1) { $0 <= 2 }
        #expect(info?.state == .failed)
        #expect(info?.stateReason?.contains("2 of 10 task(s) died (20 %), more than max_dead_fraction 10 %") == true)
    }

    @Test("the same endpoint failure killing tasks in a row pauses the build; retry-dead requeues what died")
    func breakerPauses() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "breaker")
            try await h.queue.enqueue(buildID: build, (1...30).map { NewTask(kind: "call", family: .generation, key: "k\($0)") })
            let signature = FailureSignature(
                key: "gpt|400|no_db_connection|no connected db.", summary: "endpoint 'gpt' answered 400 'No connected db.'",
                hint: "check its key and URL")
            let handler = ClosureHandler { _ in
                throw TaskError(errorClass: "http_400", message: "No connected db.", action: .dead, signature: signature)
            }
            let worker = Worker(
                queue: h.queue, handlers: .with("call", handler),
                configuration: WorkerConfiguration(concurrency: 2, runRescuer: false, breakerThreshold: 5))
            #expect(try await h.run(worker) { try await h.queue.build(build)?.state == .paused })
            let info = try await h.queue.build(build)
            #expect(info?.stateReason?.contains(/^endpoint 'gpt' answered 400 'No connected db.' for ([5-9]|[1-9][0-9]) tasks in a row; check its key and URL/) == true)
            let states = try await h.states(build: build)
            // The first four died; the fifth tripped the breaker and went back to the queue, as did the rest.
            #expect(states["dead"] == 4, "\(states)")
            #expect(states["available"] == 26, "\(states)")
            #expect(try await h.queue.retryDead(buildID: build) == 4)
            #expect(try await h.queue.build(build)?.state == .paused, "retry-dead leaves a paused build paused until resumed")
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).failure_streaks") == 0)
        }
    }

    @Test("deaths with a completion in between, or with different failures, do not trip the breaker")
    func breakerNeedsARun() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "mixed")
            try await h.queue.enqueue(buildID: build, (1...24).map { NewTask(kind: "call", family: .generation, key: "k\($0)", priority: 0) })
            let signature = FailureSignature(key: "e|400|x|bad", summary: "endpoint 'e' answered 400 'bad'", hint: "check it")
            // Every third task completes; the others die with the same signature.
            let handler = ClosureHandler { task in
                if task.id % 3 == 0 { return TaskOutput(json: "{}") }
                throw TaskError(errorClass: "http_400", message: "bad", action: .dead, signature: signature)
            }
            let worker = Worker(
                queue: h.queue, handlers: .with("call", handler),
                configuration: WorkerConfiguration(concurrency: 1, runRescuer: false, breakerThreshold: 3))
            #expect(try await h.run(worker) { try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks WHERE state IN ('available', 'running')") == 0 })
            #expect(try await h.queue.build(build)?.state == .active)
            #expect(try await h.states(build: build) == ["completed": 8, "dead": 16])
        }
    }

    @Test("snoozes are counted on the task; only the first and every Nth writes an attempt row")
    func snoozeRows() async throws {
        let pool = TestDatabase.pool(maxConnections: 4)
        let schema = try await TestDatabase.migratedSchema(pool: pool)
        let queue = TaskQueue(
            pool: pool,
            configuration: QueueConfiguration(
                schema: schema, maxSnoozes: 100, snoozeLogEvery: 5, flushInterval: .milliseconds(10), pollInterval: .milliseconds(50)))
        do {
            let build = try await queue.createBuild(name: "snoozes")
            try await queue.enqueue(buildID: build, [NewTask(kind: "limited", family: .generation, key: "a")])
            let handler = ClosureHandler { task in
                let row = try await queue.pool.query("SELECT snoozes FROM \(identifier: schema).tasks WHERE id = \(task.id)")[0]
                if try row.decode(Int.self, "snoozes") < 12 { throw TaskError.snooze("rate_limited", "429", after: .milliseconds(1)) }
                return TaskOutput(json: "{}")
            }
            let worker = Worker(queue: queue, handlers: .with("limited", handler), configuration: WorkerConfiguration(concurrency: 1, runRescuer: false))
            let running = Task { try await worker.run() }
            let done = try await eventually(timeout: .seconds(30)) {
                try await pool.query("SELECT count(*) FROM \(identifier: schema).tasks WHERE state = 'completed'")[0].decode(Int.self, at: 0) == 1
            }
            worker.requestShutdown()
            try await running.value
            #expect(done)
            // 12 snoozes: rows for the 1st, 5th and 10th.
            let rows = try await pool.query("SELECT count(*) FROM \(identifier: schema).task_attempts")[0].decode(Int.self, at: 0)
            #expect(rows == 3)
            await pool.close()
        } catch {
            await pool.close()
            throw error
        }
    }
}
