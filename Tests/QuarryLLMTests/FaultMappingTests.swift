import Foundation
import QuarryLLM
import QuarryQueue
import QuarrySimulator
import QuarryTestSupport
import Testing

/// Quarry's client against the simulator with one fault at rate 1.0: every fault ends in its queue action.
@Suite("Endpoint faults → queue actions (simulator)")
struct FaultMappingTests {
    /// Makes one chat call against a simulator configured by `configure` and returns what it threw.
    func failingCall(
        timeoutSeconds: Double = 10, request: ChatRequest = chat("Tell me about granite quarries."), model: String = "sim-small",
        _ configure: @escaping (inout SimulatorConfiguration) -> Void
    ) async throws -> LLMError {
        try await timedFailingCall(timeoutSeconds: timeoutSeconds, request: request, model: model, configure).error
    }

    /// `failingCall`, with how long the call itself took (not the harness around it).
    func timedFailingCall(
        timeoutSeconds: Double = 10, request: ChatRequest = chat("Tell me about granite quarries."), model: String = "sim-small",
        _ configure: @escaping (inout SimulatorConfiguration) -> Void
    ) async throws -> (error: LLMError, elapsed: Duration) {
        return try await LLMTestHarness.with(simulator: configure) { harness in
            let service = try harness.service([harness.endpoint(model: model, timeoutSeconds: timeoutSeconds)], withQueue: false)
            let started = ContinuousClock.now
            let error = await caught { _ = try await service.chat(request, endpoint: "sim", build: 0, kind: "test") }
            let elapsed = ContinuousClock.now - started
            await service.shutdown()
            return (try #require(error as? LLMError, "expected an LLMError, got \(String(describing: error))"), elapsed)
        }
    }

    @Test("429 with Retry-After → snooze about that long")
    func rateLimited() async throws {
        let error = try await failingCall { $0.faults.rateLimited = 1; $0.retryAfterSeconds = 4 }
        #expect(error.code == .rateLimited && error.status == 429)
        #expect(error.retryAfter == .seconds(4))
        guard case .snooze(let after) = error.taskError.action else {
            Issue.record("expected snooze, got \(error.taskError.action)")
            return
        }
        #expect(after >= .seconds(4) && after <= .milliseconds(4_800))
    }

    @Test("429s with Retry-After under a configured rpm: one alone keeps the rate, two in a row cut it by a quarter (AIMD), once")
    func rateLimitedSlowsDown() async throws {
        try await LLMTestHarness.with(simulator: { $0.faults.rateLimited = 1 }) { harness in
            let service = try harness.service([harness.endpoint(rpm: 600)], withQueue: false)
            #expect(service.currentRequestsPerMinute(endpoint: "sim") == 600)
            _ = await caught { _ = try await service.chat(chat("hi"), endpoint: "sim", build: 0, kind: "t") }
            #expect(service.currentRequestsPerMinute(endpoint: "sim") == 600)
            for _ in 0..<2 { _ = await caught { _ = try await service.chat(chat("hi"), endpoint: "sim", build: 0, kind: "t") } }
            let slowed = try #require(service.currentRequestsPerMinute(endpoint: "sim"))
            // The second 429 cuts; the third needs fresh evidence after the cut; additive increase has barely begun.
            #expect(slowed >= 450 && slowed < 480, "\(slowed)")
            await service.shutdown()
        }
    }

    @Test("503 with Retry-After → snooze")
    func unavailable() async throws {
        let error = try await failingCall { $0.faults.unavailable = 1; $0.retryAfterSeconds = 2 }
        #expect(error.code == .unavailable)
        guard case .snooze(let after) = error.taskError.action else {
            Issue.record("expected snooze, got \(error.taskError.action)")
            return
        }
        #expect(after >= .seconds(2) && after <= .milliseconds(2_400))
    }

    @Test("500 → retry (attempt consumed)")
    func serverError() async throws {
        let error = try await failingCall { $0.faults.serverError = 1 }
        #expect(error.code == .serverError && error.status == 500)
        #expect(error.taskError.action == .retry(after: nil))
        #expect(error.taskError.errorClass == "http_500")
        #expect(error.message.contains("The server had an error"))
    }

    @Test("hang → timeout → retry")
    func hang() async throws {
        let (error, elapsed) = try await timedFailingCall(timeoutSeconds: 1) { $0.faults.hang = 1 }
        #expect(error.code == .timeout)
        expectWithinBound(elapsed < .seconds(10), "took \(elapsed)")
        #expect(error.taskError.action == .retry(after: nil))
    }

    @Test("connection reset → retry")
    func reset() async throws {
        let error = try await failingCall { $0.faults.reset = 1 }
        #expect(error.code == .connectionReset)
        #expect(error.taskError.action == .retry(after: nil))
    }

    @Test("malformed JSON and truncated bodies → retry, keeping the raw body", arguments: [FaultKind.malformedJSON, .truncated])
    func malformed(kind: FaultKind) async throws {
        let error = try await failingCall { $0.faults[kind] = 1 }
        #expect(error.code == .malformedResponse)
        #expect(error.taskError.action == .retry(after: nil))
        #expect(error.rawOutput?.isEmpty == false)
    }

    @Test("refused connection → retry")
    func refused() async throws {
        try await LLMTestHarness.with { harness in
            await harness.simulator.stop()
            let service = try harness.service([harness.endpoint()], withQueue: false)
            let error = await caught { _ = try await service.chat(chat("hi"), endpoint: "sim", build: 0, kind: "test") }
            await service.shutdown()
            let llmError = try #require(error as? LLMError)
            #expect(llmError.code == .connectFailed)
            #expect(llmError.taskError.action == .retry(after: nil))
        }
    }

    @Test("unknown model (404) → dead with the endpoint's message")
    func notFound() async throws {
        let error = try await failingCall(model: "no-such-model") { _ in }
        #expect(error.code == .notFound)
        #expect(error.taskError.action == .dead)
        #expect(error.taskError.message.contains("The model `no-such-model` does not exist"))
    }

    @Test("context length exceeded (400) → dead with the endpoint's message")
    func contextLength() async throws {
        let long = String(repeating: "granite ", count: 400)
        let error = try await failingCall(request: chat(long)) { $0.contextWindowTokens = 100 }
        #expect(error.code == .contextLengthExceeded && error.status == 400)
        #expect(error.taskError.action == .dead)
        #expect(error.taskError.message.contains("maximum context length is 100 tokens"))
    }

    @Test("invalid request (400) → dead with the endpoint's message")
    func badRequest() async throws {
        var request = chat("hi")
        request.temperature = 5
        let error = try await failingCall(request: request) { _ in }
        #expect(error.code == .badRequest)
        #expect(error.taskError.action == .dead)
        #expect(error.taskError.message.contains("temperature"))
    }

    @Test("401 three times in a row → retry, retry, then pause the build")
    func unauthorized() async throws {
        return try await LLMTestHarness.with(simulator: { $0.requiredAPIKey = "sk-test-SECRET123" }) { harness in
            let service = try harness.service(
                [harness.endpoint(apiKeyEnv: "SIM_KEY")], environment: ["SIM_KEY": "sk-wrong-0000000"], withQueue: false)
            var actions: [TaskError.Action] = []
            for _ in 0..<3 {
                let error = await caught { _ = try await service.chat(chat("hi"), endpoint: "sim", build: 0, kind: "test") }
                let llmError = try #require(error as? LLMError)
                #expect(llmError.code == .unauthorized)
                actions.append(llmError.taskError.action)
            }
            await service.shutdown()
            #expect(actions[0] == .retry(after: .seconds(5)))
            #expect(actions[1] == .retry(after: .seconds(5)))
            guard case .pauseBuild(let reason) = actions[2] else {
                Issue.record("third 401 should pause the build, got \(actions[2])")
                return
            }
            #expect(reason.contains("'sim'") && reason.contains("3 times"))
        }
    }

    @Test("a missing API key variable pauses the build and names the variable")
    func missingKey() async throws {
        try await LLMTestHarness.with { harness in
            let service = try harness.service([harness.endpoint(apiKeyEnv: "NOT_SET_ANYWHERE")], withQueue: false)
            let error = await caught { _ = try await service.chat(chat("hi"), endpoint: "sim", build: 0, kind: "test") }
            await service.shutdown()
            let llmError = try #require(error as? LLMError)
            #expect(llmError.code == .missingAPIKey)
            if case .pauseBuild(let reason) = llmError.taskError.action {
                #expect(reason.contains("NOT_SET_ANYWHERE"))
            } else {
                Issue.record("expected pauseBuild")
            }
        }
    }

    struct Scored: Decodable, Sendable {
        var score: Int
        var label: String
    }

    @Test("output that does not decode → two repair rounds in the same call, then dead with the raw output")
    func repairThenDead() async throws {
        try await LLMTestHarness.with { harness in
            let service = try harness.service([harness.endpoint()], withQueue: false)
            let error = await caught {
                _ = try await service.chat(
                    chat("Rate this quarry.", format: .jsonObject), endpoint: "sim", build: 0, kind: "test", decoding: Scored.self)
            }
            await service.shutdown()
            let stats = harness.simulator.stats
            let llmError = try #require(error as? LLMError)
            #expect(llmError.code == .invalidOutput)
            #expect(stats.requestsByEndpoint["POST /v1/chat/completions"] == 3, "1 call + 2 repair rounds")
            #expect(llmError.taskError.action == .dead)
            #expect(llmError.taskError.message.contains("raw output: {\"answer\""))
            #expect(llmError.taskError.message.contains("score"))
        }
    }

    @Test("finish_reason=length on JSON output → repaired, then dead")
    func cutOff() async throws {
        try await LLMTestHarness.with { harness in
            let service = try harness.service([harness.endpoint()], withQueue: false)
            let error = await caught {
                _ = try await service.chat(chat("Rate this quarry.", maxTokens: 2, format: .jsonObject), endpoint: "sim", build: 0, kind: "test")
            }
            await service.shutdown()
            let llmError = try #require(error as? LLMError)
            #expect(llmError.code == .invalidOutput)
            #expect(llmError.message.contains("finish_reason=length"))
        }
    }

    struct Answer: Decodable, Sendable {
        var answer: String
    }

    @Test("output that decodes is returned without repair")
    func decodes() async throws {
        try await LLMTestHarness.with { harness in
            let service = try harness.service([harness.endpoint()], withQueue: false)
            let decoded = try await service.chat(
                chat("Describe granite.", format: .jsonObject), endpoint: "sim", build: 0, kind: "test", decoding: Answer.self)
            await service.shutdown()
            #expect(!decoded.output.answer.isEmpty)
            #expect(decoded.result.repairs == 0 && !decoded.result.cached)
            #expect(decoded.result.usage.promptTokens > 0)
        }
    }
}
