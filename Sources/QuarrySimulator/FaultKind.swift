/// The failures the simulator can inject, in the order `FaultRates` draws them.
public enum FaultKind: String, Sendable, Codable, CaseIterable {
    /// 429 with `Retry-After` (seconds) and `retry-after-ms`.
    case rateLimited = "rate_limited"
    /// 500 with an OpenAI-style `server_error` body.
    case serverError = "server_error"
    /// 503 with `Retry-After`.
    case unavailable
    /// Sleeps `hangSeconds` (default 300) before answering: past any sane client timeout. The sleep ends early
    /// when the client closes the connection or the simulator stops.
    case hang
    /// The connection is reset (SO_LINGER 0, then close: the peer sees ECONNRESET) without any response.
    case reset
    /// 200 whose body is not valid JSON.
    case malformedJSON = "malformed_json"
    /// 200 whose body is the first half of a valid response (Content-Length matches the cut body).
    case truncated
}
