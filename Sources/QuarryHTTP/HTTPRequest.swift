/// One HTTP request as `HTTPClient.execute` sends it.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// Absolute `http://` or `https://` URL; libcurl parses it and reports a malformed one as
    /// `HTTPClientError.Code.invalidRequest`.
    public var url: String
    public var headers: HTTPHeaders
    /// Sent verbatim. When non-empty (or the method is POST) it is uploaded with a
    /// `Content-Length`; libcurl's default form-urlencoded `Content-Type` is suppressed unless the
    /// caller sets one, so the server sees exactly what was given.
    public var body: [UInt8]
    /// Limit on DNS + TCP (+ TLS) connection set-up. Nil uses the client's default.
    public var connectTimeout: Duration?
    /// Limit on the whole exchange, from hand-off to the driver to the last body byte.
    /// Nil uses the client's default (which may itself be nil: no limit).
    public var timeout: Duration?
    /// Follow 3xx redirects (at most `HTTPClient.Configuration.maxRedirects`). Off by default: API
    /// endpoints do not redirect, and following one silently can re-send a POST body elsewhere.
    public var followRedirects: Bool

    public init(
        method: HTTPMethod = .get,
        url: String,
        headers: HTTPHeaders = [:],
        body: [UInt8] = [],
        connectTimeout: Duration? = nil,
        timeout: Duration? = nil,
        followRedirects: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.followRedirects = followRedirects
    }
}
