/// The output of `knowtuning.extract`: the answer's atomic facts, normalised (see `normalised`).
public struct KnowTuningFacts: Sendable, Equatable, Codable {
    public var facts: [String]
    /// `facts.count`, as its own field so graph predicates can compare it (`fact_count >= 2`).
    public var factCount: Int
    /// Statements the model gave that normalisation removed (empty, duplicate, over `max_facts`).
    public var discarded: Int
    /// Nil when no call was made (an answer with nothing to extract).
    public var call: LLMCallRecord?

    enum CodingKeys: String, CodingKey {
        case facts, discarded, call
        case factCount = "fact_count"
    }

    public init(facts: [String], discarded: Int, call: LLMCallRecord?) {
        self.facts = facts
        self.factCount = facts.count
        self.discarded = discarded
        self.call = call
    }
}
