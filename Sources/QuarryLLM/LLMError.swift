/// A failed call to an endpoint, classified so the queue knows what to do (see `taskError`). Messages are
/// the endpoint's own where it gave one, with the API key redacted; `rawOutput` keeps (a prefix of) an
/// answer that could not be used, for the dead-task view.
public struct LLMError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// 429.
        case rateLimited = "rate_limited"
        /// 503.
        case unavailable = "http_503"
        /// Any other 5xx.
        case serverError = "http_5xx"
        /// No complete answer within the endpoint's timeout.
        case timeout
        /// The connection broke before a complete answer.
        case connectionReset = "connection_reset"
        /// The endpoint could not be reached (refused, unreachable, DNS).
        case connectFailed = "connect_failed"
        /// Another transport failure (TLS and the like).
        case transport
        /// 400.
        case badRequest = "http_400"
        /// 400 (or 413) whose code or message says the prompt is too long for the model.
        case contextLengthExceeded = "context_length_exceeded"
        /// 404 (often an unknown model).
        case notFound = "http_404"
        /// 413.
        case payloadTooLarge = "http_413"
        /// 422.
        case unprocessable = "http_422"
        /// Another 4xx.
        case clientError = "http_4xx"
        /// 401.
        case unauthorized
        /// 403.
        case forbidden
        /// A 2xx whose body is not the response it should be (cut short, not JSON, wrong shape).
        case malformedResponse = "malformed_response"
        /// The model's answer did not decode into the expected output, even after repair rounds.
        case invalidOutput = "bad_output"
        /// The build has spent its budget.
        case budgetExhausted = "budget_exhausted"
        /// No endpoint with that name in the endpoints file.
        case unknownEndpoint = "unknown_endpoint"
        /// The endpoint's `api_key_env` variable is not set in this process.
        case missingAPIKey = "missing_api_key"
        /// The cache or usage tables could not be reached.
        case database
    }

    public var code: Code
    /// Endpoint name (never its key).
    public var endpoint: String
    /// HTTP status, when an answer arrived.
    public var status: Int?
    public var message: String
    /// When the endpoint said to come back (Retry-After, retry-after-ms).
    public var retryAfter: Duration?
    /// The unusable answer, truncated (see `LLMServiceConfiguration.rawOutputLimit`).
    public var rawOutput: String?
    /// For 401/403: how many authentication failures in a row this endpoint has given this process,
    /// counting this one.
    public var authFailuresInARow: Int
    /// For `budgetExhausted`: the build's budget in US dollars.
    public var budgetUSD: Double?
    /// The error type (or code) the endpoint's body named, e.g. `invalid_request_error`.
    public var errorType: String?
    /// For a 429 without Retry-After: how long this process holds off the endpoint (`CongestionControl`).
    public var cooldown: Duration?

    public init(
        code: Code, endpoint: String, status: Int? = nil, message: String, retryAfter: Duration? = nil,
        rawOutput: String? = nil, authFailuresInARow: Int = 0, budgetUSD: Double? = nil
    ) {
        self.code = code
        self.endpoint = endpoint
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
        self.rawOutput = rawOutput
        self.authFailuresInARow = authFailuresInARow
        self.budgetUSD = budgetUSD
    }

    public var description: String {
        var text = "LLMError.\(code.rawValue) from endpoint '\(endpoint)'"
        if let status { text += " (HTTP \(status))" }
        text += ": \(message)"
        if let rawOutput { text += "\nraw output: \(rawOutput)" }
        return text
    }
}
