/// The legacy `/completions` response body, as much of it as perplexity scoring reads.
public struct TextCompletionResponse: Sendable {
    public struct Choice: Sendable {
        public struct Logprobs: Sendable {
            public var tokens: [String]
            /// Nil for the first echoed token, which has no context to be predicted from.
            public var tokenLogprobs: [Double?]
            /// Where each token starts in the text (in characters), when the endpoint says.
            public var textOffsets: [Int]?
        }

        public var index: Int?
        public var text: String
        public var logprobs: Logprobs?
        public var finishReason: String?
    }

    public var model: String?
    public var choices: [Choice]
    public var usage: TokenUsage?
}
