/// The `/chat/completions` response body, as much of it as Quarry reads.
public struct ChatCompletionResponse: Sendable {
    public struct Choice: Sendable {
        public struct Message: Sendable {
            public var role: String?
            public var content: String?
            public var refusal: String?
        }

        public var index: Int
        public var message: Message
        public var finishReason: String?
        /// `logprobs.content`, when requested: one entry per token.
        public var logprobs: ChatLogprobs?
    }

    public struct ChatLogprobs: Sendable {
        public struct Entry: Sendable {
            public var token: String
            public var logprob: Double
        }
        public var content: [Entry]?
    }

    public var id: String?
    public var model: String?
    public var choices: [Choice]
    public var usage: TokenUsage?
}
