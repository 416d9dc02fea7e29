import CCurl

extension HTTPResponse {
    /// The HTTP version the final response arrived over, as libcurl negotiated it.
    public enum Version: Sendable, Hashable {
        case http1_0
        case http1_1
        case http2
        case http3
        case unknown

        init(curlValue: Int) {
            switch curlValue {
            case CURL_HTTP_VERSION_1_0: self = .http1_0
            case CURL_HTTP_VERSION_1_1: self = .http1_1
            case CURL_HTTP_VERSION_2_0: self = .http2
            case CURL_HTTP_VERSION_3: self = .http3
            default: self = .unknown
            }
        }
    }
}
