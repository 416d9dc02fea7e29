/// The output of `knowtuning.score`: how surprised the model being trained is by one fact.
public struct KnowTuningScore: Sendable, Equatable, Codable {
    public var fact: String
    /// exp(−mean log-prob) over the fact's tokens.
    public var perplexity: Double
    public var meanLogprob: Double
    /// Tokens with a log-prob that were averaged.
    public var tokenCount: Int
    /// Whether the question was the prefix the fact was scored after.
    public var conditioned: Bool
    /// The scorer's model, as the endpoint reported it.
    public var model: String
    public var call: LLMCallRecord

    enum CodingKeys: String, CodingKey {
        case fact, perplexity, conditioned, model, call
        case meanLogprob = "mean_logprob"
        case tokenCount = "token_count"
    }

    public init(fact: String, perplexity: Double, meanLogprob: Double, tokenCount: Int, conditioned: Bool, model: String, call: LLMCallRecord) {
        self.fact = fact
        self.perplexity = perplexity
        self.meanLogprob = meanLogprob
        self.tokenCount = tokenCount
        self.conditioned = conditioned
        self.model = model
        self.call = call
    }
}
