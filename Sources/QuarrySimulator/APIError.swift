import QuarryJSON
import Hummingbird

/// An error answered to an API client in OpenAI's shape: `{"error":{"message","type","param","code"}}`.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var type: String
    var code: String?
    var message: String
    var param: String?
    /// Extra response headers (Retry-After and friends).
    var headers: [(name: String, value: String)] = []

    var body: JSONValue {
        .object([
            "error": .object([
                "message": .string(message),
                "type": .string(type),
                "param": param.map(JSONValue.string) ?? .null,
                "code": code.map(JSONValue.string) ?? .null,
            ])
        ])
    }

    static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(status: .badRequest, type: "invalid_request_error", code: code, message: message, param: param)
    }

    static func modelNotFound(_ model: String) -> APIError {
        APIError(
            status: .notFound, type: "invalid_request_error", code: "model_not_found",
            message: "The model `\(model)` does not exist or you do not have access to it.", param: "model")
    }

    static func contextLengthExceeded(limit: Int, requested: Int, param: String) -> APIError {
        .invalidRequest(
            "This model's maximum context length is \(limit) tokens. However, you requested \(requested) tokens "
                + "(prompt plus completion). Please reduce the length of the messages or completion.",
            param: param, code: "context_length_exceeded")
    }

    static func unauthorized(missing: Bool, style: AuthFailureStyle = .openai) -> APIError {
        switch style {
        case .openai:
            return APIError(
                status: .unauthorized, type: "invalid_request_error", code: "invalid_api_key",
                message: missing
                    ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                    : "Incorrect API key provided.",
                param: nil)
        case .gateway400:
            return APIError(status: .badRequest, type: "no_db_connection", code: "400", message: "No connected db.", param: nil)
        case .gateway403:
            return APIError(status: .forbidden, type: "auth_error", code: "403", message: "Forbidden: key not allowed on this route.", param: nil)
        case .gateway500:
            return APIError(
                status: .internalServerError, type: "internal_server_error", code: "500",
                message: "Internal Server Error: authentication backend unavailable.", param: nil)
        }
    }

    /// A 429 or 503 that tells the client when to come back, in both the standard and OpenAI's header.
    /// With `retryAfterSeconds` nil the answer is a bare one, as many gateways send.
    static func retryable(
        status: HTTPResponse.Status, type: String, code: String, message: String, retryAfterSeconds: Double?
    ) -> APIError {
        guard let retryAfterSeconds else { return APIError(status: status, type: type, code: code, message: message, param: nil) }
        let seconds = max(0, retryAfterSeconds)
        return APIError(
            status: status, type: type, code: code, message: message, param: nil,
            headers: [
                ("retry-after", String(Int(seconds.rounded(.up)))),
                ("retry-after-ms", String(Int((seconds * 1000).rounded(.up)))),
            ])
    }
}
