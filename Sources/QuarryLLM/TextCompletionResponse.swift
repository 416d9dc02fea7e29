/// The legacy `/completions` response body, as much of it as perplexity scoring reads.
public struct TextCompletionResponse: Sendable, Decodable {
    public struct Choice: Sendable, Decodable {
        public struct Logprobs: Sendable, Decodable {
            public var tokens: [String]
            /// Nil for the first echoed token, which has no context to be predicted from.
            public var tokenLogprobs: [Double?]

            enum CodingKeys: String, CodingKey {
                case tokens
                case tokenLogprobs = "token_logprobs"
            }
        }

        public var index: Int?
        public var text: String
        public var logprobs: Logprobs?
        public var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case index, text, logprobs
            case finishReason = "finish_reason"
        }
    }

    public var model: String?
    public var choices: [Choice]
    public var usage: TokenUsage?
}
