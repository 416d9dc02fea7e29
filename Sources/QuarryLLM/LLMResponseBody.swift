import QuarryJSON

/// What every endpoint answer Quarry decodes has: the tokens it counted and the model that answered.
protocol LLMResponseBody: JSONValueDecodable, Sendable {
    var usage: TokenUsage? { get }
    var model: String? { get }
}

extension ChatCompletionResponse: LLMResponseBody {}
extension TextCompletionResponse: LLMResponseBody {}
extension EmbeddingResponse: LLMResponseBody {}
