import QuarryJSON

/// A validated `POST /v1/completions` (legacy completions) body.
struct CompletionRequest: Sendable {
    var model: String
    /// One entry per prompt; token-array prompts are rendered as their numbers separated by spaces.
    var prompts: [String]
    var n: Int
    /// Defaults to 16, as OpenAI's does; 0 is allowed (useful with `echo` to score a prompt).
    var maxTokens: Int
    var echo: Bool
    /// Number of alternatives per token in `top_logprobs`; nil means no `logprobs` object.
    var logprobs: Int?
    var temperature: Double
    var stop: [String]

    init(_ json: JSONValue) throws(APIError) {
        let fields = try RequestFields(json)
        model = try fields.requiredString("model")
        guard let prompt = fields.value("prompt") else {
            throw .invalidRequest("Missing required parameter: 'prompt'.", param: "prompt", code: "missing_required_parameter")
        }
        prompts = try Self.prompts(prompt)
        try fields.rejectStreaming()
        n = try fields.int("n", in: 1...128) ?? 1
        maxTokens = try fields.int("max_tokens", in: 0...1_000_000) ?? 16
        echo = try fields.bool("echo") ?? false
        logprobs = try fields.int("logprobs", in: 0...20)
        temperature = try fields.double("temperature", in: 0...2) ?? 1
        stop = try fields.stopSequences()
    }

    private static func prompts(_ value: JSONValue) throws(APIError) -> [String] {
        func invalid() -> APIError {
            .invalidRequest(
                "Invalid 'prompt': expected a string, an array of strings, or token arrays.", param: "prompt",
                code: "invalid_type")
        }
        switch value {
        case .string(let text):
            return [text]
        case .array(let items) where !items.isEmpty:
            if items.allSatisfy({ $0.intValue != nil }) {
                return [items.compactMap(\.intValue).map(String.init).joined(separator: " ")]
            }
            var result: [String] = []
            for item in items {
                if let text = item.stringValue {
                    result.append(text)
                } else if let tokens = item.arrayValue, tokens.allSatisfy({ $0.intValue != nil }) {
                    result.append(tokens.compactMap(\.intValue).map(String.init).joined(separator: " "))
                } else {
                    throw invalid()
                }
            }
            return result
        default:
            throw invalid()
        }
    }

    /// The largest prompt's tokens: each prompt is its own generation, and each must fit the window.
    var largestPromptTokens: Int {
        prompts.map(TokenCounter.tokens(in:)).max() ?? 0
    }

    var totalPromptTokens: Int {
        prompts.reduce(0) { $0 + TokenCounter.tokens(in: $1) }
    }
}
