import Logging

/// Everything that shapes a `Simulator`'s behaviour. All fields have defaults, and decoding fills any missing
/// key with its default, so a config file only needs the fields it changes.
public struct SimulatorConfiguration: Sendable, Codable, Equatable {
    /// Interface to bind. Keep the default (loopback) for tests and load tests.
    public var host: String = "127.0.0.1"
    /// TCP port; 0 asks the OS for an ephemeral port, which `Simulator.start()` returns.
    public var port: Int = 0

    /// Latency before each response (also applied before 500s and resets; 429/503 answer at once, as a
    /// front-end limiter would).
    public var latency: LatencyModel = .none
    /// Extra milliseconds per completion token, added to `latency`: long answers are slower, as with real models.
    public var perOutputTokenLatencyMs: Double? = nil

    /// Probabilities of injected faults; see `FaultRates` and `FaultKind`.
    public var faults: FaultRates = .none
    /// `Retry-After` for injected 429 and 503 responses (also sent as `retry-after-ms`).
    public var retryAfterSeconds: Double = 1
    /// How long an injected `hang` sleeps. Kept long so that it outlives any client timeout.
    public var hangSeconds: Double = 300

    /// Requests per minute allowed per API key (token bucket of capacity `rpm`, refilled continuously), or nil.
    public var rpm: Int? = nil
    /// Tokens per minute allowed per API key, or nil. A request costs its prompt tokens plus its
    /// `max_tokens`/`max_completion_tokens` (×n), the way OpenAI estimates before generating.
    public var tpm: Int? = nil

    /// When set, requests (including `GET /v1/models`) must send `Authorization: Bearer <requiredAPIKey>`,
    /// else they are refused as `authFailureStyle` says.
    public var requiredAPIKey: String? = nil
    /// How a missing or wrong key is answered: OpenAI's 401, or a gateway's 400/403/500.
    public var authFailureStyle: AuthFailureStyle = .openai
    /// Whether 429s (the limiter's and injected ones) say when to come back (`Retry-After`,
    /// `retry-after-ms`, `x-ratelimit-*`). Many gateways send a bare 429: set false to act like them.
    public var rateLimitRetryAfter: Bool = true

    /// Probability (0...1) that a completion contains invented facts; decided per request body, so the same
    /// request is always hallucinated or always clean. See `Simulator` for the conventions.
    public var hallucinationRate: Double = 0
    /// Probability (0...1) that the grounding judge gives the wrong verdict; 0 makes it exact.
    public var judgeErrorRate: Double = 0

    /// Seeds the fault/latency RNG and is mixed into every output hash: change it for different content.
    public var seed: UInt64 = 0
    /// Model ids served by `/v1/models` and accepted by every endpoint; others get 404 `model_not_found`.
    public var models: [String] = ["sim-small", "sim-large"]
    /// Prompt plus requested completion tokens beyond this get 400 `context_length_exceeded`.
    public var contextWindowTokens: Int = 32_768
    /// Embedding vector length when a request does not pass `dimensions`.
    public var embeddingDimensions: Int = 64
    /// Request bodies larger than this get 413.
    public var maxRequestBodyBytes: Int = 16 * 1024 * 1024
    /// Listen backlog; large so that thousands of simultaneous connects are not refused during load tests.
    public var backlog: Int = 2048
    /// Log level for the simulator and its HTTP server.
    public var logLevel: Logger.Level = .warning

    public init() {}

    /// Checks every field; `Simulator.start()` calls this.
    public func validate() throws(SimulatorError) {
        func fail(_ field: String, _ value: String, _ message: String) throws(SimulatorError) {
            throw SimulatorError(
                code: .invalidConfiguration, message: message, context: ["field": field, "value": value])
        }
        func checkProbability(_ field: String, _ value: Double) throws(SimulatorError) {
            if !(0...1).contains(value) { try fail(field, "\(value)", "\(field) must be a probability in 0...1") }
        }
        if !(0...65_535).contains(port) { try fail("port", "\(port)", "port must be in 0...65535") }
        if let problem = latency.problem { try fail("latency", latency.spec, problem) }
        if let ms = perOutputTokenLatencyMs, !(ms >= 0 && ms.isFinite) {
            try fail("perOutputTokenLatencyMs", "\(ms)", "perOutputTokenLatencyMs must be >= 0")
        }
        for kind in FaultKind.allCases {
            try checkProbability("faults.\(kind.rawValue)", faults[kind])
        }
        try checkProbability("hallucinationRate", hallucinationRate)
        try checkProbability("judgeErrorRate", judgeErrorRate)
        if !(retryAfterSeconds >= 0 && retryAfterSeconds.isFinite) {
            try fail("retryAfterSeconds", "\(retryAfterSeconds)", "retryAfterSeconds must be >= 0")
        }
        if !(hangSeconds >= 0 && hangSeconds <= 86_400) { try fail("hangSeconds", "\(hangSeconds)", "hangSeconds must be between 0 and 86400") }
        if let rpm, rpm <= 0 { try fail("rpm", "\(rpm)", "rpm must be positive (or nil for no limit)") }
        if let tpm, tpm <= 0 { try fail("tpm", "\(tpm)", "tpm must be positive (or nil for no limit)") }
        if models.isEmpty { try fail("models", "[]", "at least one model is required") }
        if contextWindowTokens <= 0 { try fail("contextWindowTokens", "\(contextWindowTokens)", "must be positive") }
        if !(1...8192).contains(embeddingDimensions) {
            try fail("embeddingDimensions", "\(embeddingDimensions)", "embeddingDimensions must be in 1...8192")
        }
        if maxRequestBodyBytes <= 0 { try fail("maxRequestBodyBytes", "\(maxRequestBodyBytes)", "must be positive") }
        if backlog <= 0 { try fail("backlog", "\(backlog)", "must be positive") }
    }
}
