/// Endpoint calls summed over a build's results, from the `LLMCallRecord` each output keeps.
public struct UsageTotals: Sendable, Equatable, Codable {
    public var calls = 0
    public var cacheHits = 0
    public var promptTokens = 0
    public var completionTokens = 0
    public var costUSD = 0.0

    enum CodingKeys: String, CodingKey {
        case calls
        case cacheHits = "cache_hits"
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case costUSD = "cost_usd"
    }

    public init() {}

    public mutating func add(_ call: LLMCallRecord) {
        calls += 1
        if call.cached { cacheHits += 1 }
        promptTokens += call.promptTokens
        completionTokens += call.completionTokens
        costUSD += call.costUSD
    }

    public mutating func add(_ other: UsageTotals) {
        calls += other.calls
        cacheHits += other.cacheHits
        promptTokens += other.promptTokens
        completionTokens += other.completionTokens
        costUSD += other.costUSD
    }
}
