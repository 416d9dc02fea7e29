/// The output of every `knowtuning.corrupt.*` kind: a rejected answer and the facts it was built from.
/// One type for the three aspects, so one verification kind follows all of them.
public struct KnowTuningNegative: Sendable, Equatable, Codable {
    /// A falsified statement and the original it revises.
    public struct Revision: Sendable, Equatable, Codable {
        public var original: String
        public var revised: String

        public init(original: String, revised: String) {
            self.original = original
            self.revised = revised
        }
    }

    public var aspect: KnowTuningAspect
    /// The negative's facts: kept facts (completeness), revised statements (factuality), reordered
    /// facts (logicality).
    public var facts: [String]
    /// The rejected answer.
    public var answer: String
    /// Completeness: the 0-based positions of the kept facts in the original list.
    public var kept: [Int]?
    /// Logicality: the 0-based original position of the fact at each position.
    public var order: [Int]?
    /// Factuality: each revised statement with its original, in the original order.
    public var revisions: [Revision]?
    /// Nil for code-only corruptions.
    public var call: LLMCallRecord?

    public init(
        aspect: KnowTuningAspect, facts: [String], answer: String, kept: [Int]? = nil, order: [Int]? = nil, revisions: [Revision]? = nil,
        call: LLMCallRecord? = nil
    ) {
        self.aspect = aspect
        self.facts = facts
        self.answer = answer
        self.kept = kept
        self.order = order
        self.revisions = revisions
        self.call = call
    }
}
