#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension HTTPRequest {
    /// Convenience for callers that already hold a `Data` (e.g. from `JSONEncoder`). The bytes are copied
    /// once into `body`; the transfer itself never touches Foundation.
    public init(
        method: HTTPMethod = .post,
        url: String,
        headers: HTTPHeaders = [:],
        body: Data,
        connectTimeout: Duration? = nil,
        timeout: Duration? = nil,
        followRedirects: Bool = false
    ) {
        self.init(
            method: method,
            url: url,
            headers: headers,
            body: [UInt8](body),
            connectTimeout: connectTimeout,
            timeout: timeout,
            followRedirects: followRedirects
        )
    }
}
