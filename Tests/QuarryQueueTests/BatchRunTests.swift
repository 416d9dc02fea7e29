import QuarryTestSupport
import Testing

@testable import QuarryQueue

@Suite("Batch runs: one Swift task for short handlers, concurrency for waiting ones")
struct BatchRunTests {
    static func tasks(_ count: Int) -> [ClaimedTask] {
        (0..<count).map {
            ClaimedTask(
                id: $0 + 1, buildID: 1, kind: "noop", family: .generation, key: "k\($0)", payload: "{}", attempt: 1, maxAttempts: 3,
                leaseToken: 1, parentID: nil)
        }
    }

    @Test("a runner takes every task in order until it is detached; the next runner takes the rest")
    func runnersShareTheBatch() {
        let run = BatchRun(tasks: Self.tasks(5), slots: [0, 1, 2, 3, 4])
        let first = run.nextRunner()
        #expect(first != nil)
        guard let first else { return }
        #expect(run.take(runner: first) == 0)
        #expect(run.take(runner: first) == 1)
        // The runner's handler for task 1 suspended: the claim loop detaches it and learns it is still in task 1.
        #expect(run.detach(runner: first) == 1)
        #expect(run.take(runner: first) == nil)
        let second = run.nextRunner()
        #expect(second != nil && second != first)
        guard let second else { return }
        #expect(run.take(runner: first) == nil)
        #expect(run.take(runner: second) == 2)
        #expect(run.take(runner: second) == 3)
        #expect(run.take(runner: second) == 4)
        #expect(run.take(runner: second) == nil)
        // It finished the batch without suspending: nothing left in flight, no runner to start.
        #expect(run.detach(runner: second) == nil)
        #expect(run.nextRunner() == nil)
    }

    @Test("handlers that wait run concurrently: a batch whose handlers wait for each other completes")
    func waitingHandlersRunConcurrently() async throws {
        try await QueueHarness.with { h in
            let queue = TaskQueue(pool: h.pool, configuration: QueueConfiguration(schema: h.schema, pollInterval: .milliseconds(200)))
            let build = try await queue.createBuild(name: "rendezvous")
            // Short tasks first and between, so one batch mixes handlers that finish at once with handlers that
            // can only finish once all the waiting ones have started.
            let waiting = 12
            var tasks: [NewTask] = []
            for index in 0..<waiting {
                tasks.append(NewTask(kind: "noop", family: .generation, key: "short\(index)"))
                tasks.append(NewTask(kind: "rendezvous", family: .generation, key: "wait\(index)"))
            }
            try await queue.enqueue(buildID: build, tasks)
            var handlers = HandlerRegistry.with("noop", NoopHandler())
            handlers.register("rendezvous", RendezvousHandler(barrier: AsyncBarrier(parties: waiting)))
            let worker = Worker(queue: queue, handlers: handlers, configuration: WorkerConfiguration(concurrency: 2 * waiting, runRescuer: false))
            #expect(try await h.run(worker, timeout: .seconds(20)) {
                try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks WHERE state = 'completed'") == 2 * waiting
            })
        }
    }
}

/// Completes only after all the barrier's parties have started, which needs them all running at once.
private struct RendezvousHandler: TaskHandler {
    let barrier: AsyncBarrier

    func handle(_ task: ClaimedTask, context: TaskContext) async throws -> TaskOutput {
        await barrier.arrive()
        return TaskOutput(json: "{}")
    }
}
