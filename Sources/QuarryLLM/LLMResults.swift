import Foundation

/// What `LLMService.chat` returns.
public struct ChatResult: Sendable, Equatable {
    /// The first choice's text.
    public var content: String
    /// Every choice's text (one unless the request asked for `n` > 1).
    public var choices: [String]
    public var finishReason: String?
    /// The model the endpoint says answered.
    public var model: String
    /// Tokens of this answer as the endpoint counted them (for a cache hit: what the original call used).
    public var usage: TokenUsage
    /// True when the answer came from the response cache and cost nothing.
    public var cached: Bool
    /// Repair rounds it took to get an answer that decoded (0 when the first answer did).
    public var repairs: Int
    /// Per-token logprobs of the first choice, when requested.
    public var tokenLogprobs: [Double]?

    public init(
        content: String, choices: [String], finishReason: String?, model: String, usage: TokenUsage, cached: Bool,
        repairs: Int = 0, tokenLogprobs: [Double]? = nil
    ) {
        self.content = content
        self.choices = choices
        self.finishReason = finishReason
        self.model = model
        self.usage = usage
        self.cached = cached
        self.repairs = repairs
        self.tokenLogprobs = tokenLogprobs
    }
}

/// A chat answer decoded into the kind's output type.
public struct DecodedChatResult<Output: Sendable>: Sendable {
    public var output: Output
    public var result: ChatResult
}

/// What `LLMService.completionLogprobs` returns: the prompt scored token by token.
public struct LogprobsResult: Sendable, Equatable {
    public var tokens: [String]
    /// One per token; nil where the endpoint gives none (the first token).
    public var tokenLogprobs: [Double?]
    /// Where each token starts in the prompt (in characters), when the endpoint reports `text_offset`.
    public var textOffsets: [Int]?
    public var model: String
    public var usage: TokenUsage
    public var cached: Bool

    public init(tokens: [String], tokenLogprobs: [Double?], textOffsets: [Int]? = nil, model: String, usage: TokenUsage, cached: Bool) {
        self.tokens = tokens
        self.tokenLogprobs = tokenLogprobs
        self.textOffsets = textOffsets
        self.model = model
        self.usage = usage
        self.cached = cached
    }

    /// exp(−mean logprob) over the tokens that have one; nil when none do.
    public var perplexity: Double? {
        let values = tokenLogprobs.compactMap { $0 }
        guard !values.isEmpty else { return nil }
        return exp(-values.reduce(0, +) / Double(values.count))
    }
}

/// What `LLMService.embeddings` returns: one vector per input, in input order.
public struct EmbeddingsResult: Sendable, Equatable {
    public var vectors: [[Double]]
    public var model: String
    public var usage: TokenUsage
    public var cached: Bool

    public init(vectors: [[Double]], model: String, usage: TokenUsage, cached: Bool) {
        self.vectors = vectors
        self.model = model
        self.usage = usage
        self.cached = cached
    }
}
