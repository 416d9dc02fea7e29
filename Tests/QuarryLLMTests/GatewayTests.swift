import Foundation
import QuarryHTTP
import QuarryLLM
import QuarryPostgres
import QuarryQueue
import QuarrySimulator
import QuarryTestSupport
import Synchronization
import Testing

/// Quarry against a simulator that answers like real gateways: bad keys as 400s, bare 429s.
@Suite("Real gateways: bad keys as 400, bare 429s, preflight, cache identity, usage")
struct GatewayTests {
    /// A harness that is always torn down, whatever the body does.
    func withHarness(
        _ configure: @escaping (inout SimulatorConfiguration) -> Void = { _ in }, _ body: (LLMTestHarness) async throws -> Void
    ) async throws {
        try await LLMTestHarness.with(simulator: configure, body)
    }

    @Test("a gateway's 400 for a bad key kills the task with a failure signature naming endpoint, status and message")
    func gateway400Mapping() async throws {
        try await withHarness({ $0.requiredAPIKey = "sk-good"; $0.authFailureStyle = .gateway400 }) { harness in
            let service = try harness.service(
                [harness.endpoint(name: "gpt", apiKeyEnv: "KEY")], environment: ["KEY": "sk-bad"], withQueue: false)
            let error = try #require(await caught { _ = try await service.chat(chat("hi"), endpoint: "gpt", build: 0, kind: "t") } as? LLMError)
            await service.shutdown()
            #expect(error.code == .badRequest && error.status == 400)
            #expect(error.errorType == "no_db_connection")
            let task = error.taskError
            #expect(task.action == .dead)
            let signature = try #require(task.signature)
            #expect(signature.summary == "endpoint 'gpt' answered 400 'No connected db.'")
            #expect(signature.hint == "check its key and URL")
            // Failures tied to one request carry no signature.
            #expect(LLMError(code: .contextLengthExceeded, endpoint: "gpt", status: 400, message: "too long").failureSignature == nil)
            #expect(LLMError(code: .rateLimited, endpoint: "gpt", status: 429, message: "slow down").failureSignature == nil)
        }
    }

    @Test("breaker: a bad key answered with 400 pauses the build after a few tasks; fixed and resumed, every task completes")
    func breakerPausesBuild() async throws {
        try await withHarness({ $0.requiredAPIKey = "sk-good"; $0.authFailureStyle = .gateway400 }) { harness in
            let keys = Shared(["KEY": "sk-bad"])
            let service = try LLMService(
                registry: try EndpointRegistry([harness.endpoint(name: "sim", apiKeyEnv: "KEY")]), queue: harness.queue,
                environment: { name in keys.withLock { $0[name] } })
            let build = try await harness.queue.createBuild(name: "bad-key")
            try await harness.queue.enqueue(buildID: build, (0..<40).map(BudgetTests.chatTask))
            let queue = harness.queue
            try await BudgetTests.runWorker(harness, service: service) { try await queue.build(build)?.state == .paused }
            let paused = try #require(try await queue.build(build))
            #expect(paused.state == .paused)
            #expect(paused.stateReason?.contains(/^endpoint 'sim' answered 400 'No connected db.' for ([5-9]|[1-9][0-9]) tasks in a row; check its key and URL/) == true,
                    "\(paused.stateReason ?? "")")
            let dead = try await harness.scalar(Int.self, "SELECT count(*) FROM \(identifier: harness.schema).tasks WHERE state = 'dead'")
            #expect(dead >= 4 && dead < 10, "a handful died before the pause, not the build: \(dead)")

            keys.withLock { $0["KEY"] = "sk-good" }
            #expect(try await queue.retryDead(buildID: build) == dead)
            #expect(try await queue.resumeBuild(build))
            try await BudgetTests.runWorker(harness, service: service) {
                try await harness.scalar(Int.self, "SELECT count(*) FROM \(identifier: harness.schema).results") == 40
            }
            await service.shutdown()
        }
    }

    @Test("a 429 without Retry-After holds the endpoint off for the process and cuts its rate once per burst")
    func bare429Cooldown() async throws {
        try await withHarness({ $0.faults.rateLimited = 1; $0.rateLimitRetryAfter = false }) { harness in
            let service = try harness.service([harness.endpoint()], withQueue: false)
            // Four requests refused together are one burst: one cut.
            let errors = await withTaskGroup(of: (any Error)?.self) { group in
                for index in 0..<4 { group.addTask { await caught { _ = try await service.chat(chat("burst \(index)"), endpoint: "sim", build: 0, kind: "t") } } }
                var errors: [(any Error)?] = []
                for await error in group { errors.append(error) }
                return errors
            }
            let refused = errors.compactMap { $0 as? LLMError }
            #expect(refused.count == 4 && refused.allSatisfy { $0.code == .rateLimited && $0.retryAfter == nil })
            let first = try #require(service.congestion(endpoint: "sim"))
            #expect(first.bursts == 1)
            #expect(first.requestsPerSecond != nil)
            let cooldown = try #require(refused.compactMap(\.cooldown).max())
            #expect(cooldown > .zero && cooldown <= .seconds(1))
            guard case .snooze(let after) = refused[0].taskError.action else {
                Issue.record("expected a snooze, got \(refused[0].taskError.action)")
                return
            }
            #expect(after >= .milliseconds(100))
            // The next request waits out the cooldown, is refused again: a second burst, a longer cooldown.
            let second = try #require(await caught { _ = try await service.chat(chat("after"), endpoint: "sim", build: 0, kind: "t") } as? LLMError)
            let state = try #require(service.congestion(endpoint: "sim"))
            #expect(state.bursts == 2)
            #expect((state.requestsPerSecond ?? 0) < (first.requestsPerSecond ?? 0))
            #expect(try #require(second.cooldown) > .zero)
            await service.shutdown()
        }
    }

    @Test("under a configured rpm, a lone bare 429 snoozes its task without holding the process off; a second in a row does")
    func bare429UnderConfiguredRate() async throws {
        try await withHarness({ $0.faults.rateLimited = 1; $0.rateLimitRetryAfter = false }) { harness in
            let service = try harness.service([harness.endpoint(rpm: 600)], withQueue: false)
            let first = try #require(await caught { _ = try await service.chat(chat("lone"), endpoint: "sim", build: 0, kind: "t") } as? LLMError)
            #expect(first.code == .rateLimited && first.retryAfter == nil && first.cooldown == nil)
            #expect(try #require(service.congestion(endpoint: "sim")).bursts == 0)
            guard case .snooze(let after) = first.taskError.action else {
                Issue.record("expected a snooze, got \(first.taskError.action)")
                return
            }
            #expect(after >= .seconds(1))
            let second = try #require(await caught { _ = try await service.chat(chat("again"), endpoint: "sim", build: 0, kind: "t") } as? LLMError)
            #expect(try #require(second.cooldown) > .zero)
            #expect(try #require(service.congestion(endpoint: "sim")).bursts == 1)
            await service.shutdown()
        }
    }

    /// Two services stand in for two worker processes with no rpm, against a server allowing 300 requests a
    /// minute that refuses the rest with bare 429s. The storm must die down: after the first seconds, far
    /// fewer requests than at the start, and a small share of 429s. (The figures are measured by
    /// `quarry bench storm`; this checks the direction loosely.)
    @Test("a storm of bare 429s converges: the rate comes down towards the server's limit", .timeLimit(.minutes(2)))
    func stormConverges() async throws {
        try await withHarness({ $0.rpm = 300; $0.rateLimitRetryAfter = false; $0.latency = .fixed(ms: 20) }) { harness in
            let services = try (0..<2).map { _ in
                try harness.service([harness.endpoint()], configuration: LLMServiceConfiguration(cacheEnabled: false), withQueue: false)
            }
            let started = ContinuousClock.now
            let deadline = started + .seconds(16)
            let counts = Shared<[(second: Int, refused: Bool)]>([])
            await withTaskGroup(of: Void.self) { group in
                for (index, service) in services.enumerated() {
                    for lane in 0..<16 {
                        group.addTask {
                            var sequence = 0
                            while ContinuousClock.now < deadline {
                                sequence += 1
                                let error = await caught {
                                    _ = try await service.chat(chat("storm \(index) \(lane) \(sequence)"), endpoint: "sim", build: 0, kind: "t")
                                }
                                let second = Int((ContinuousClock.now - started).components.seconds)
                                counts.withLock { $0.append((second, error != nil)) }
                            }
                        }
                    }
                }
            }
            for service in services { await service.shutdown() }
            let all = counts.withLock { $0 }
            let early = all.filter { $0.second < 4 }
            let late = all.filter { $0.second >= 8 && $0.second < 16 }
            let lateRate = Double(late.count) / 8
            let lateRefused = Double(late.filter(\.refused).count) / Double(max(1, late.count))
            print("storm: first 4 s \(early.count) requests (\(early.filter(\.refused).count) refused); 8–16 s \(late.count) (\(late.filter(\.refused).count) refused)")
            #expect(Double(early.count) / 4 > 2 * lateRate, "the rate came down")
            #expect(lateRate < 3 * 5, "well within a few times the 5/s limit: \(lateRate)/s")
            #expect(lateRefused < 0.2, "429 share after settling: \(lateRefused)")
        }
    }

    @Test("two endpoints with the same model and different base URLs do not share cache entries, unless they share a cache_namespace")
    func cacheIdentity() async throws {
        try await withHarness { harness in
            let other = Simulator(configuration: SimulatorConfiguration())
            let port = try await other.start()
            do {
                let elsewhere = "http://127.0.0.1:\(port)/v1"
                let a = harness.endpoint(name: "a")
                var b = harness.endpoint(name: "b")
                b.baseURL = elsewhere
                let service = try harness.service([a, b])
                let first = try await service.chat(chat("What is granite?"), endpoint: "a", build: 0, kind: "t")
                #expect(!first.cached)
                let second = try await service.chat(chat("What is granite?"), endpoint: "b", build: 0, kind: "t")
                #expect(!second.cached, "b must ask its own server")
                #expect(other.stats.totalRequests == 1)
                #expect(try await service.chat(chat("What is granite?"), endpoint: "b", build: 0, kind: "t").cached)
                await service.shutdown()

                var sharedA = harness.endpoint(name: "a")
                sharedA.cacheNamespace = "granite-models"
                var sharedB = b
                sharedB.cacheNamespace = "granite-models"
                let shared = try harness.service([sharedA, sharedB])
                _ = try await shared.chat(chat("What is basalt?"), endpoint: "a", build: 0, kind: "t")
                #expect(try await shared.chat(chat("What is basalt?"), endpoint: "b", build: 0, kind: "t").cached)
                #expect(other.stats.totalRequests == 1, "the shared namespace answered b from a's entry")
                await shared.shutdown()
                await other.stop()
            } catch {
                await other.stop()
                throw error
            }
        }
    }

    @Test("preflight: a good endpoint passes; unknown model, bad key and unreachable URL fail with one clear line each")
    func preflight() async throws {
        try await withHarness({ $0.requiredAPIKey = "sk-good"; $0.authFailureStyle = .gateway400 }) { harness in
            let http = try HTTPClient(configuration: HTTPClient.Configuration())
            defer { http.shutdown() }
            let environment: @Sendable (String) -> String? = { ["GOOD": "sk-good", "BAD": "sk-bad"][$0] }
            let preflight = EndpointPreflight(http: http, environment: environment, timeout: .seconds(5))
            let good = harness.endpoint(name: "good", apiKeyEnv: "GOOD")
            let unknownModel = harness.endpoint(name: "typo", model: "sim-smal", apiKeyEnv: "GOOD")
            let badKey = harness.endpoint(name: "badkey", apiKeyEnv: "BAD")
            var unreachable = harness.endpoint(name: "down", apiKeyEnv: "GOOD")
            unreachable.baseURL = "http://127.0.0.1:9/v1"
            let results = await preflight.check([good, unknownModel, badKey, unreachable])
            #expect(results.map(\.passed) == [true, false, false, false])
            #expect(results[0].line.contains("ok"))
            #expect(results[1].line.contains("endpoint 'typo' (\(harness.baseURL))"))
            #expect(results[1].line.contains("model 'sim-smal' is not among the 2 model(s) /models lists (sim-large, sim-small)"))
            #expect(results[2].line == "endpoint 'badkey' (\(harness.baseURL)): FAILED HTTP 400: No connected db.")
            #expect(results[3].line.contains("endpoint 'down' (http://127.0.0.1:9/v1): FAILED unreachable"))
            #expect(!results.map(\.line).joined().contains("sk-"))
        }
    }

    @Test("usage rows reach llm_usage while the worker runs, without waiting for another call or shutdown")
    func usageFlushedWhileRunning() async throws {
        try await withHarness { harness in
            let service = try harness.service([harness.endpoint()])
            let flusher = Task { await service.runBackgroundWrites() }
            let build = try await harness.queue.createBuild(name: "usage")
            _ = try await service.chat(chat("one call"), endpoint: "sim", build: build, kind: "t")
            let schema = harness.schema
            let recorded = try await eventually(timeout: .seconds(10)) {
                try await harness.scalar(Int.self, "SELECT coalesce(sum(calls), 0)::bigint FROM \(identifier: schema).llm_usage") == 1
            }
            flusher.cancel()
            await flusher.value
            #expect(recorded)
            await service.shutdown()
        }
    }
}

/// A value tasks can share and change.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
}
