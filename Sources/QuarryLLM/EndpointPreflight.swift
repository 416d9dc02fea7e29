import QuarryHTTP
import QuarryJSON

/// Checks, before a build is created, that each endpoint it will call works: reachable, its key
/// accepted, its model served. Asks `GET /models` and looks for the model there; where the server lists
/// no models (or has no such route), sends one chat request for a single token instead. Nothing is
/// cached or recorded.
public struct EndpointPreflight: Sendable {
    /// One endpoint's verdict.
    public struct Result: Sendable, Equatable {
        public var endpoint: String
        /// The base URL, which the endpoints file keeps free of credentials.
        public var url: String
        public var passed: Bool
        /// HTTP status of the answer that decided, when one arrived.
        public var status: Int?
        /// What was found: the server's own message on failure.
        public var detail: String

        /// One line naming endpoint, URL, status and the server's message.
        public var line: String {
            let verdict = passed ? "ok" : "FAILED"
            let code = status.map { " HTTP \($0):" } ?? ""
            return "endpoint '\(endpoint)' (\(url)): \(verdict)\(code) \(detail)"
        }
    }

    let http: HTTPClient
    let environment: @Sendable (String) -> String?
    let timeout: Duration

    public init(
        http: HTTPClient, environment: @escaping @Sendable (String) -> String? = LLMClient.processEnvironment,
        timeout: Duration = .seconds(15)
    ) {
        self.http = http
        self.environment = environment
        self.timeout = timeout
    }

    /// Checks every endpoint at once; results in the order given.
    public func check(_ endpoints: [Endpoint]) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            for (index, endpoint) in endpoints.enumerated() {
                group.addTask { (index, await check(endpoint)) }
            }
            var results: [Result?] = Array(repeating: nil, count: endpoints.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
    }

    public func check(_ endpoint: Endpoint) async -> Result {
        var probe = endpoint
        let limit = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        probe.timeoutSeconds = min(endpoint.timeoutSeconds, limit)
        let client = LLMClient(endpoint: probe, http: http, environment: environment)
        func failed(_ error: LLMError) -> Result {
            Result(endpoint: endpoint.name, url: endpoint.baseURL, passed: false, status: error.status, detail: Self.describe(error))
        }
        do {
            let listing = try await client.get(path: "/models", timeout: timeout)
            let models = Self.modelIDs(listing.body)
            if !models.isEmpty {
                if models.contains(endpoint.model) {
                    return Result(
                        endpoint: endpoint.name, url: endpoint.baseURL, passed: true, status: listing.status,
                        detail: "model '\(endpoint.model)' listed by /models")
                }
                let shown = models.sorted().prefix(10).joined(separator: ", ") + (models.count > 10 ? ", …" : "")
                return Result(
                    endpoint: endpoint.name, url: endpoint.baseURL, passed: false, status: listing.status,
                    detail: "model '\(endpoint.model)' is not among the \(models.count) model(s) /models lists (\(shown))")
            }
        } catch let error as LLMError {
            // A server without a model listing is asked for one token instead; anything else decides here.
            guard [404, 405, 501].contains(error.status ?? 0) else { return failed(error) }
        } catch {
            return Result(endpoint: endpoint.name, url: endpoint.baseURL, passed: false, status: nil, detail: "\(error)")
        }
        do {
            let request = ChatRequest(messages: [.user("ping")], maxTokens: 1)
            let answer = try await client.send(path: "/chat/completions", body: request.body(model: endpoint.model).canonicalBytes)
            return Result(
                endpoint: endpoint.name, url: endpoint.baseURL, passed: true, status: answer.status,
                detail: "model '\(endpoint.model)' answered a 1-token request (the server lists no models)")
        } catch let error as LLMError {
            return failed(error)
        } catch {
            return Result(endpoint: endpoint.name, url: endpoint.baseURL, passed: false, status: nil, detail: "\(error)")
        }
    }

    /// `data[].id` of an OpenAI model listing; empty when the body is not one.
    static func modelIDs(_ body: [UInt8]) -> [String] {
        guard let json = try? JSONValue.parse(body), let data = json["data"]?.arrayValue else { return [] }
        return data.compactMap { $0["id"]?.stringValue }
    }

    static func describe(_ error: LLMError) -> String {
        switch error.code {
        case .connectFailed, .timeout, .connectionReset, .transport:
            return "unreachable (\(error.code.rawValue)): \(error.message)"
        default:
            return error.message
        }
    }
}
