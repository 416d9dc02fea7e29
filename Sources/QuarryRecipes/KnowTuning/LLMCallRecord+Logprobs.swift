import QuarryLLM

extension LLMCallRecord {
    /// The record of a scoring call (`/completions` with echo + logprobs), priced like chat calls.
    public init(_ result: LogprobsResult, endpoint: String, service: LLMService) {
        let price = service.registry[endpoint]
        let cost = result.cached ? 0 : (price?.cost(inputTokens: result.usage.promptTokens, outputTokens: result.usage.completionTokens) ?? 0)
        self.init(
            endpoint: endpoint, model: result.model.isEmpty ? (price?.model ?? "") : result.model, promptTokens: result.usage.promptTokens,
            completionTokens: result.usage.completionTokens, cached: result.cached, costUSD: cost)
    }
}
