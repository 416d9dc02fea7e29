import QuarryJSON

/// A chat completion request, without the model (the endpoint supplies it). Rendered to OpenAI's wire
/// format by `body(model:)`; that rendering is also what the response cache keys on.
public struct ChatRequest: Sendable, Hashable {
    public var messages: [ChatMessage]
    public var temperature: Double?
    public var seed: Int?
    public var maxTokens: Int?
    /// Choices per request.
    public var n: Int?
    public var responseFormat: ResponseFormat?
    public var logprobs: Bool?
    public var topLogprobs: Int?
    public var stop: [String]?
    /// Vendor-specific fields sent as given (`top_p`, `presence_penalty`, …).
    public var extra: [String: JSONValue]

    public init(
        messages: [ChatMessage], temperature: Double? = nil, seed: Int? = nil, maxTokens: Int? = nil, n: Int? = nil,
        responseFormat: ResponseFormat? = nil, logprobs: Bool? = nil, topLogprobs: Int? = nil, stop: [String]? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.messages = messages
        self.temperature = temperature
        self.seed = seed
        self.maxTokens = maxTokens
        self.n = n
        self.responseFormat = responseFormat
        self.logprobs = logprobs
        self.topLogprobs = topLogprobs
        self.stop = stop
        self.extra = extra
    }

    /// The `/chat/completions` body for `model`.
    public func body(model: String) -> JSONValue {
        var fields = extra
        fields["model"] = .string(model)
        fields["messages"] = .array(messages.map(\.json))
        if let temperature { fields["temperature"] = .double(temperature) }
        if let seed { fields["seed"] = .int(seed) }
        if let maxTokens { fields["max_tokens"] = .int(maxTokens) }
        if let n { fields["n"] = .int(n) }
        if let responseFormat { fields["response_format"] = responseFormat.json }
        if let logprobs { fields["logprobs"] = .bool(logprobs) }
        if let topLogprobs { fields["top_logprobs"] = .int(topLogprobs) }
        if let stop { fields["stop"] = .array(stop.map(JSONValue.string)) }
        return .object(fields)
    }

    /// A rough token estimate for the pool's tokens-per-minute budget before the endpoint has counted:
    /// about four characters a token for the prompt, plus what the completion may use.
    var estimatedTokens: Int {
        let characters = messages.reduce(0) { $0 + $1.content.utf8.count + 4 }
        return characters / 4 + 1 + (maxTokens ?? 256) * (n ?? 1)
    }
}
