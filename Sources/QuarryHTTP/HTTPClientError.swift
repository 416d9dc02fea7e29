/// A failed exchange: no complete HTTP response was received. (A 4xx/5xx response is not an error
/// here; it is an `HTTPResponse` and the caller decides.)
///
/// Carries the URL for diagnosis but never the request headers, which hold API keys. `description`
/// goes further and drops the URL's query and user-info, where some APIs put keys as well.
public struct HTTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable, CaseIterable {
        /// TCP connection could not be made (refused, unreachable).
        case connectFailed
        /// The connect timeout or the total timeout expired.
        case timedOut
        /// The connection broke mid-exchange, or the server closed it without a (complete) response.
        case connectionReset
        /// The host name could not be resolved.
        case dnsFailed
        /// TLS handshake or certificate verification failed.
        case tls
        /// The request could not be sent as given (malformed URL, CR/LF in a header, unsupported scheme).
        case invalidRequest
        /// More redirects than allowed.
        case tooManyRedirects
        /// The transfer was aborted from inside libcurl. (Swift task cancellation throws
        /// `CancellationError` instead, as async code expects.)
        case cancelled
        /// The client was shut down before the exchange completed.
        case shutdown
        /// Anything else libcurl reported.
        case other
    }

    public var code: Code
    /// libcurl's `CURLcode` value, when the failure came from libcurl.
    public var curlCode: Int?
    /// libcurl's detailed message (its error buffer), or our own explanation.
    public var message: String
    /// The request URL, as given.
    public var url: String

    public init(code: Code, curlCode: Int? = nil, message: String, url: String) {
        self.code = code
        self.curlCode = curlCode
        self.message = message
        self.url = url
    }

    /// Whether sending the same request again may succeed. Failures before or during transport are
    /// (the server may have been restarting, overloaded or briefly unreachable; DNS resolvers fail
    /// transiently under load, and a retry budget bounds the cost of a genuinely wrong host name).
    /// Requests we cannot form, TLS failures, and our own cancellation or shutdown are not.
    ///
    /// Note that a `timedOut` or `connectionReset` POST may have been processed by the server: retry
    /// only requests that are idempotent or deduplicated downstream.
    public var isRetryable: Bool {
        switch code {
        case .connectFailed, .timedOut, .connectionReset, .dnsFailed: true
        case .tls, .invalidRequest, .tooManyRedirects, .cancelled, .shutdown, .other: false
        }
    }

    public var description: String {
        var text = "HTTPClientError.\(code)"
        if let curlCode { text += " (curl \(curlCode))" }
        text += ": \(message) [\(Self.redacted(url))]"
        return text
    }

    /// `url` without user-info and query string, for messages that may end up in logs.
    static func redacted(_ url: String) -> String {
        var base = Substring(url)
        let hadQuery = base.contains("?")
        if let cut = base.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            base = base[..<cut]
        }
        if let schemeEnd = base.firstRange(of: "://") {
            let authorityStart = schemeEnd.upperBound
            let authorityEnd = base[authorityStart...].firstIndex(of: "/") ?? base.endIndex
            if let at = base[authorityStart..<authorityEnd].lastIndex(of: "@") {
                base = base[..<authorityStart] + base[base.index(after: at)...]
            }
        }
        return String(base) + (hadQuery ? "?…" : "")
    }
}
