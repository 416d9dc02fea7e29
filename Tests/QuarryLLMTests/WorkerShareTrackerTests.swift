import Logging
import QuarryQueue
import QuarryTestSupport
import Testing

@testable import QuarryLLM

@Suite("Worker share: how many live workers divide an endpoint's limits")
struct WorkerShareTrackerTests {
    /// A pool starting together: this process counts itself alone at its first call, and must learn of the
    /// workers that registered just after well before its regular interval (60 s here) is up.
    @Test("while the pool is forming the count is re-read after a tenth of the interval; once it holds, after the interval")
    func poolForming() async throws {
        try await LLMTestHarness.with { harness in
            func register(_ index: Int) async throws {
                try await harness.queue.register(
                    WorkerRegistration(id: "share-\(index)", host: "test", pid: index, version: "test", concurrency: 1, kinds: nil))
            }
            try await register(0)
            let tracker = WorkerShareTracker(
                queue: harness.queue, kind: nil, refreshInterval: .seconds(60), logger: Logger(label: "quarry.llm.test"))
            #expect(await tracker.current() == 1)
            for index in 1..<4 { try await register(index) }
            #expect(await eventually(timeout: .seconds(20)) { await tracker.current() == 4 })
            // The next read finds 4 again: settled, so a worker joining now waits for the full interval.
            #expect(await eventually(timeout: .seconds(20)) {
                _ = await tracker.current()
                return tracker.isSettled
            })
            try await register(4)
            // Polling 2 s, far more than a tenth of a second's reads would need, far less than the interval.
            #expect(await eventually(timeout: .seconds(2)) { await tracker.current() == 5 } == false)
        }
    }
}
