/// The `/chat/completions` response body, as much of it as Quarry reads.
public struct ChatCompletionResponse: Sendable, Decodable {
    public struct Choice: Sendable, Decodable {
        public struct Message: Sendable, Decodable {
            public var role: String?
            public var content: String?
            public var refusal: String?
        }

        public var index: Int
        public var message: Message
        public var finishReason: String?
        /// `logprobs.content`, when requested: one entry per token.
        public var logprobs: ChatLogprobs?

        enum CodingKeys: String, CodingKey {
            case index, message, logprobs
            case finishReason = "finish_reason"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            index = try container.decodeIfPresent(Int.self, forKey: .index) ?? 0
            message = try container.decode(Message.self, forKey: .message)
            finishReason = try container.decodeIfPresent(String.self, forKey: .finishReason)
            logprobs = try container.decodeIfPresent(ChatLogprobs.self, forKey: .logprobs)
        }
    }

    public struct ChatLogprobs: Sendable, Decodable {
        public struct Entry: Sendable, Decodable {
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
