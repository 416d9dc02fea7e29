import QuarryLLM

/// Provenance of one endpoint call, kept in every LLM task's output: which endpoint and model answered,
/// the tokens, whether the answer came from the response cache, and what the call cost at the
/// endpoint's configured prices (0 for cache hits, which cost nothing).
public struct LLMCallRecord: Sendable, Equatable, Codable {
    public var endpoint: String
    public var model: String
    public var promptTokens: Int
    public var completionTokens: Int
    public var cached: Bool
    public var costUSD: Double

    enum CodingKeys: String, CodingKey {
        case endpoint, model, cached
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case costUSD = "cost_usd"
    }

    public init(endpoint: String, model: String, promptTokens: Int, completionTokens: Int, cached: Bool, costUSD: Double) {
        self.endpoint = endpoint
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cached = cached
        self.costUSD = costUSD
    }

    /// The record of `result`, priced with `service`'s endpoint configuration.
    public init(_ result: ChatResult, endpoint: String, service: LLMService) {
        self.init(priced: result.usage, model: result.model, cached: result.cached, endpoint: endpoint, service: service)
    }

    /// The record of a scoring call (`/completions` with echo + logprobs), priced like chat calls.
    public init(_ result: LogprobsResult, endpoint: String, service: LLMService) {
        self.init(priced: result.usage, model: result.model, cached: result.cached, endpoint: endpoint, service: service)
    }

    /// Cached answers cost nothing; an answer without a model name is recorded under the configured one.
    private init(priced usage: TokenUsage, model: String, cached: Bool, endpoint: String, service: LLMService) {
        let price = service.registry[endpoint]
        let cost = cached ? 0 : (price?.cost(inputTokens: usage.promptTokens, outputTokens: usage.completionTokens) ?? 0)
        self.init(
            endpoint: endpoint, model: model.isEmpty ? (price?.model ?? "") : model, promptTokens: usage.promptTokens,
            completionTokens: usage.completionTokens, cached: cached, costUSD: cost)
    }
}
