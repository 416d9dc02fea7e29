/// A complete HTTP response: the final one, after any `100 Continue` or followed redirects.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Headers of the final response only; interim (1xx) and redirect responses' headers are dropped.
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var version: Version
    public var timings: HTTPTimings

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [], version: Version = .http1_1, timings: HTTPTimings = .init()) {
        self.status = status
        self.headers = headers
        self.body = body
        self.version = version
        self.timings = timings
    }

    /// The first value of header `name` (case-insensitive), or nil.
    public func header(_ name: String) -> String? {
        headers.first(name)
    }

    /// The body decoded as UTF-8 (invalid sequences replaced), for text and JSON endpoints.
    public var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }

    /// True for 2xx statuses.
    public var isSuccess: Bool {
        (200..<300).contains(status)
    }
}
