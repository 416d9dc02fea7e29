/// The output of `knowtuning.select`: a record's hardest facts (the top α by perplexity, in the
/// facts' order), and how many of its facts were scored or failed to be.
public struct KnowTuningSelection: Sendable, Equatable, Codable {
    public struct HardFact: Sendable, Equatable, Codable {
        public var fact: String
        public var perplexity: Double
        /// The fact's 1-based position in the extraction's `facts` (its score task's index).
        public var index: Int

        public init(fact: String, perplexity: Double, index: Int) {
            self.fact = fact
            self.perplexity = perplexity
            self.index = index
        }
    }

    public var hard: [HardFact]
    public var scored: Int
    public var failed: Int

    public init(hard: [HardFact], scored: Int, failed: Int) {
        self.hard = hard
        self.scored = scored
        self.failed = failed
    }

    /// The hardest `alpha` of `scores` (see `TopFraction`); `failed` counts the scores that did not finish.
    public static func select(_ scores: [(index: Int, score: KnowTuningScore)], failed: Int, alpha: Double) -> KnowTuningSelection {
        let hard = TopFraction.select(scores, fraction: alpha, by: { $0.score.perplexity })
            .map { HardFact(fact: $0.score.fact, perplexity: $0.score.perplexity, index: $0.index) }
        return KnowTuningSelection(hard: hard, scored: scores.count, failed: failed)
    }
}
