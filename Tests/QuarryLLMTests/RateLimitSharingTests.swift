import Foundation
import QuarryLLM
import QuarryPostgres
import QuarryQueue
import Synchronization
import Testing

@Suite("Rate limits shared by the worker pool")
struct RateLimitSharingTests {
    /// Four services stand in for four worker processes: each registered in the workers table (and kept
    /// alive by heartbeats), each with its own limiter, all driving one endpoint with rpm 600 against a
    /// simulator that enforces 600 RPM. Together they must hold ~600/min with almost no 429s; a limiter
    /// that ignored the other workers would run at 4× and be refused.
    @Test("4 workers × rpm 600: aggregate within 10% of 600/min, under 2% 429s", .timeLimit(.minutes(3)))
    func sharedLimit() async throws {
        try await LLMTestHarness.with(simulator: { $0.rpm = 600 }) { harness in
            let registrations = (0..<4).map { WorkerRegistration(id: "llm-test-\($0)", host: "test", pid: $0, version: "test", concurrency: 16, kinds: nil) }
            for registration in registrations { try await harness.queue.register(registration) }
            let services = try (0..<4).map { _ in
                try harness.service(
                    [harness.endpoint(rpm: 600)],
                    configuration: LLMServiceConfiguration(cacheEnabled: false, workerCountRefresh: .seconds(2)))
            }
            // Let each service learn the worker count before the clock starts.
            for service in services { _ = try? await service.chat(chat("warm-up"), endpoint: "sim", build: 0, kind: "warm") }
            harness.simulator.resetStats()

            let measured = Duration.seconds(60)
            let succeeded = TestCounter()
            let rateLimited = TestCounter()
            let started = ContinuousClock.now
            let deadline = started + measured
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Heartbeats keep the four registrations alive (the lease is 30 s).
                    while ContinuousClock.now < deadline {
                        for registration in registrations { _ = try? await harness.queue.heartbeat(worker: registration.id, held: []) }
                        // A timer, not synchronisation: a heartbeat every 5 s over the 60 s being measured.
                        try? await Task.sleep(for: .seconds(5))
                    }
                }
                for (index, service) in services.enumerated() {
                    for lane in 0..<16 {
                        group.addTask {
                            var sequence = 0
                            while ContinuousClock.now < deadline {
                                sequence += 1
                                do {
                                    _ = try await service.chat(
                                        chat("worker \(index) lane \(lane) request \(sequence)"), endpoint: "sim", build: 0, kind: "load")
                                    if ContinuousClock.now <= deadline { succeeded.increment() }
                                } catch let error as LLMError where error.code == .rateLimited {
                                    rateLimited.increment()
                                } catch {
                                    Issue.record("unexpected error: \(error)")
                                    return
                                }
                            }
                        }
                    }
                }
            }
            for service in services { await service.shutdown() }
            // Only answers that arrived within the measured window count, so the window is the denominator.
            let minutes = Double(measured.components.seconds) / 60
            let ok = succeeded.value
            let refused = rateLimited.value
            let perMinute = Double(ok) / minutes
            let stats = harness.simulator.stats
            print("shared rate limit: \(ok) ok, \(refused) refused in \(measured) → \(Int(perMinute))/min; simulator: \(stats.requestsByStatus)")
            #expect(abs(perMinute - 600) <= 60, "aggregate \(perMinute)/min")
            #expect(Double(refused) < 0.02 * Double(ok + refused), "\(refused) 429s of \(ok + refused)")
        }
    }
}
