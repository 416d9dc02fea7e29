import Foundation
import QuarryHTTP
import QuarryJSON

/// Talks OpenAI's wire format to one endpoint over Quarry's HTTP client: sends a body, classifies what
/// came back into an `LLMError` (or returns the 2xx body). No cache, limits or accounting: `LLMService`
/// adds those. Safe to share; holds no state of its own.
public struct LLMClient: Sendable {
    public let endpoint: Endpoint
    let http: HTTPClient
    let environment: @Sendable (String) -> String?

    /// `environment` looks up the endpoint's `api_key_env` at each request, so a key rotated in the
    /// environment is picked up and the key is never copied into long-lived state.
    public init(
        endpoint: Endpoint, http: HTTPClient,
        environment: @escaping @Sendable (String) -> String? = LLMClient.processEnvironment
    ) {
        self.endpoint = endpoint
        self.http = http
        self.environment = environment
    }

    /// Reads one variable with getenv: `ProcessInfo.environment` copies the whole environment on every
    /// access, which is too much per request.
    public static let processEnvironment: @Sendable (String) -> String? = { name in
        getenv(name).map { String(cString: $0) }
    }

    /// A 2xx answer.
    public struct RawResponse: Sendable {
        public var status: Int
        public var body: [UInt8]
        public var headers: HTTPHeaders
    }

    /// POSTs `body` (JSON) to `path` (`/chat/completions`, …).
    /// - Throws: `LLMError` for anything but a 2xx; `CancellationError` when the calling task is cancelled.
    public func send(path: String, body: [UInt8]) async throws -> RawResponse {
        try await exchange(.post, path: path, body: body, timeout: .milliseconds(Int64(endpoint.timeoutSeconds * 1_000)))
    }

    /// GETs `path` (`/models`) with the endpoint's key and headers.
    public func get(path: String, timeout: Duration) async throws -> RawResponse {
        try await exchange(.get, path: path, body: nil, timeout: timeout)
    }

    private func exchange(_ method: HTTPMethod, path: String, body: [UInt8]?, timeout: Duration) async throws -> RawResponse {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if body != nil { headers.add(name: "Content-Type", value: "application/json") }
        if !endpoint.headers.isEmpty {
            for (name, value) in endpoint.headers.sorted(by: { $0.key < $1.key }) { headers.add(name: name, value: value) }
        }
        let key = try apiKey()
        if let key { headers.add(name: "Authorization", value: "Bearer \(key)") }
        let request = HTTPRequest(method: method, url: endpoint.url(path), headers: headers, body: body ?? [], timeout: timeout)
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch let error as HTTPClientError {
            throw transportError(error, redactor: SecretRedactor([key]))
        }
        if response.isSuccess {
            return RawResponse(status: response.status, body: response.body, headers: response.headers)
        }
        throw statusError(response, redactor: SecretRedactor([key]))
    }

    /// Sends a chat request and decodes the answer (no repair, cache or limits; see `LLMService.chat`).
    public func chat(_ request: ChatRequest) async throws -> ChatCompletionResponse {
        let raw = try await send(path: "/chat/completions", body: request.body(model: endpoint.model).canonicalBytes)
        return try decode(ChatCompletionResponse.self, raw.body)
    }

    /// The key from the environment, or nil when the endpoint needs none.
    func apiKey() throws -> String? {
        guard let variable = endpoint.apiKeyEnv else { return nil }
        guard let key = environment(variable), !key.isEmpty else {
            throw LLMError(
                code: .missingAPIKey, endpoint: endpoint.name,
                message: "environment variable \(variable) (the API key for endpoint '\(endpoint.name)') is not set in this worker")
        }
        return key
    }

    /// Decodes a 2xx body; a body that is not the expected shape (cut short, not JSON) is `malformedResponse`.
    func decode<Response: JSONValueDecodable>(_ type: Response.Type, _ body: [UInt8]) throws -> Response {
        do {
            return try Response.decode(jsonBytes: body)
        } catch {
            throw LLMError(
                code: .malformedResponse, endpoint: endpoint.name, status: 200,
                message: "the endpoint's 2xx answer is not a valid \(Response.self) (\(body.count) bytes): \(Self.describe(error))",
                rawOutput: String(decoding: body.prefix(LLMServiceConfiguration.defaultRawOutputLimit), as: UTF8.self))
        }
    }

    private func transportError(_ error: HTTPClientError, redactor: SecretRedactor) -> LLMError {
        let code: LLMError.Code
        switch error.code {
        case .timedOut: code = .timeout
        case .connectionReset: code = .connectionReset
        case .connectFailed, .dnsFailed: code = .connectFailed
        default: code = .transport
        }
        return LLMError(code: code, endpoint: endpoint.name, message: redactor.redact(error.description))
    }

    private func statusError(_ response: HTTPResponse, redactor: SecretRedactor) -> LLMError {
        let detail = APIErrorBody.parse(response.body)
        let message = redactor.redact(detail.message ?? "HTTP \(response.status) with no error message")
        let retryAfter = RetryAfter.parse(response.headers)
        let code: LLMError.Code
        switch response.status {
        case 429: code = .rateLimited
        case 503: code = .unavailable
        case 500...599: code = .serverError
        case 400 where detail.isContextLength, 413 where detail.isContextLength: code = .contextLengthExceeded
        case 400: code = .badRequest
        case 401: code = .unauthorized
        case 403: code = .forbidden
        case 404: code = .notFound
        case 408: code = .timeout
        case 413: code = .payloadTooLarge
        case 422: code = .unprocessable
        default: code = .clientError
        }
        var error = LLMError(code: code, endpoint: endpoint.name, status: response.status, message: message, retryAfter: retryAfter)
        error.errorType = detail.type ?? detail.code
        return error
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            return context.debugDescription + (context.underlyingError.map { " (\($0))" } ?? "")
        case DecodingError.keyNotFound(let key, _):
            return "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "\(context.debugDescription) at '\(path)'"
        default:
            return "\(error)"
        }
    }
}

/// OpenAI's error body: `{"error": {"message", "type", "param", "code"}}` (some servers send a bare
/// `{"message"}` or `{"detail"}`).
struct APIErrorBody {
    var message: String?
    var code: String?
    /// `error.type` (`invalid_request_error`, or a gateway's own, e.g. `no_db_connection`).
    var type: String?

    static func parse(_ body: [UInt8]) -> APIErrorBody {
        guard let json = try? JSONValue.parse(body) else {
            let text = String(decoding: body.prefix(500), as: UTF8.self)
            return APIErrorBody(message: text.isEmpty ? nil : text, code: nil, type: nil)
        }
        let error = json["error"]
        let message = error?["message"]?.stringValue ?? error?.stringValue ?? json["message"]?.stringValue ?? json["detail"]?.stringValue
        return APIErrorBody(
            message: message, code: error?["code"]?.stringValue ?? json["code"]?.stringValue,
            type: error?["type"]?.stringValue ?? json["type"]?.stringValue)
    }

    var isContextLength: Bool {
        code == "context_length_exceeded" || (message?.contains("maximum context length") ?? false)
    }
}
