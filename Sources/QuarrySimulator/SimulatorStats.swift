/// A snapshot of what the simulator has served since it started (or since the last reset).
///
/// Served via `GET /stats` with the snake_case keys in `CodingKeys`. Requests to `/stats`, `/health` and
/// unknown paths are not counted; everything under `/v1/` is.
public struct SimulatorStats: Sendable, Codable, Equatable {
    /// Requests received (counted on arrival, so it includes in-flight ones).
    public var totalRequests: Int = 0
    /// Requests currently being handled (including injected hangs still sleeping).
    public var inFlight: Int = 0
    /// Requests by `"METHOD /path"`, e.g. `"POST /v1/chat/completions"`.
    public var requestsByEndpoint: [String: Int] = [:]
    /// Finished requests by HTTP status (`"200"`, `"429"`, ...), plus `"reset"` for injected connection resets
    /// and `"cancelled"` for requests abandoned by the client or the shutdown (e.g. a hang cut by a timeout).
    public var requestsByStatus: [String: Int] = [:]
    /// Prompt tokens of clean 200 responses only.
    public var promptTokens: Int = 0
    /// Completion tokens of clean 200 responses only.
    public var completionTokens: Int = 0
    /// Injected faults by `FaultKind` raw value.
    public var faultsInjected: [String: Int] = [:]
    /// 429s from the rpm/tpm limiter (not from injected faults).
    public var rateLimitRejections: Int = 0
    /// Clean 200 completions that contained invented words.
    public var hallucinated: Int = 0
    /// Clean 200 completions without invented words (judge answers excluded).
    public var clean: Int = 0
    /// Clean 200 judge-mode answers.
    public var judgeRequests: Int = 0
    /// Distinct request bodies seen (POST endpoints).
    public var uniqueBodies: Int = 0
    /// Requests whose body was byte-identical to an earlier request's, whatever either's outcome.
    public var duplicateRequests: Int = 0
    /// Clean 200 responses to a body that had already received a clean 200: work a client paid for twice.
    public var duplicateSuccessfulRequests: Int = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case totalRequests = "total_requests"
        case inFlight = "in_flight"
        case requestsByEndpoint = "requests_by_endpoint"
        case requestsByStatus = "requests_by_status"
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case faultsInjected = "faults_injected"
        case rateLimitRejections = "rate_limit_rejections"
        case hallucinated
        case clean
        case judgeRequests = "judge_requests"
        case uniqueBodies = "unique_bodies"
        case duplicateRequests = "duplicate_requests"
        case duplicateSuccessfulRequests = "duplicate_successful_requests"
    }
}
