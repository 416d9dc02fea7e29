import QuarryLLM
import QuarryQueue
import QuarryTestSupport
import Synchronization
import Testing

@Suite("Concurrent calls of one handler")
struct ConcurrentCallsTests {
    struct Refused: Error, Equatable {
        var index: Int
    }

    @Test("a call that fails does not cut the others short: their answers, already paid for, are cached for the retry")
    func failureKeepsTheOthersAnswers() async throws {
        // Every answer takes 300 ms, so the failing call fails while the other two are on their way.
        try await LLMTestHarness.with(simulator: { $0.latency = .fixed(ms: 300) }) { harness in
            let build = try await harness.queue.createBuild(name: "concurrent")
            let requests = [chat("Which stone is quarried at Carrara?"), chat("Which stone is quarried at Portland?")]
            let first = try harness.service([harness.endpoint()])
            let calls: [@Sendable () async throws -> ChatResult] = [
                { try await first.chat(requests[0], endpoint: "sim", build: build, kind: "judge") },
                { throw Refused(index: 1) },
                { try await first.chat(requests[1], endpoint: "sim", build: build, kind: "judge") },
            ]
            let error = await caught { _ = try await ConcurrentCalls.all(calls) }
            #expect(error as? Refused == Refused(index: 1))
            #expect(harness.simulator.stats.requestsByStatus["200"] == 2, "both calls ran to their answers")

            // The task's retry, in another process: both answers come from the cache, nothing is paid again.
            let retry = try harness.service([harness.endpoint()])
            let again = try await ConcurrentCalls.all(requests.map { request in
                { @Sendable in try await retry.chat(request, endpoint: "sim", build: build, kind: "judge") }
            })
            #expect(again.allSatisfy { $0.cached })
            #expect(harness.simulator.stats.totalRequests == 2)
            #expect(harness.simulator.stats.duplicateSuccessfulRequests == 0)
        }
    }

    @Test("values come back in the order of the calls; of several failures, the first call's is thrown")
    func orderAndFirstFailure() async throws {
        let finished = Mutex(0)
        let values = try await ConcurrentCalls.all((0..<8).map { index in
            { @Sendable in
                finished.withLock { $0 += 1 }
                return index * 10
            }
        })
        #expect(values == [0, 10, 20, 30, 40, 50, 60, 70])

        let calls: [@Sendable () async throws -> Int] = (0..<6).map { index in
            { @Sendable in
                finished.withLock { $0 += 1 }
                if index == 2 || index == 4 { throw Refused(index: index) }
                return index
            }
        }
        let error = await caught { _ = try await ConcurrentCalls.all(calls) }
        #expect(error as? Refused == Refused(index: 2))
        #expect(finished.withLock { $0 } == 14, "every call ran")
    }

    @Test("cancelling the caller (a lost lease, a shutdown) cancels every call")
    func callerCancellationReachesEveryCall() async throws {
        let started = Mutex(0), cancelled = Mutex(0)
        let calls: [@Sendable () async throws -> Void] = (0..<3).map { _ in
            { @Sendable in
                started.withLock { $0 += 1 }
                do {
                    // A call that would outlive the test unless cancelled.
                    try await Task.sleep(for: .seconds(600))
                } catch {
                    cancelled.withLock { $0 += 1 }
                    throw error
                }
            }
        }
        let caller = Task { try await ConcurrentCalls.all(calls) }
        #expect(await eventually { started.withLock { $0 } == 3 })
        caller.cancel()
        let error = await caught { _ = try await caller.value }
        #expect(error is CancellationError)
        #expect(cancelled.withLock { $0 } == 3)
    }
}
