/// KnowTuning's `report.json`: what happened to every record, fact and negative of a build.
///
/// Invariants (the end-to-end tests check them): `records.loaded` equals with facts + without facts +
/// extraction failed + pending; for every aspect, `pairs` plus the sum of `excluded` equals
/// `records.loaded` (each record either gave that aspect a pair or is excluded with one reason).
public struct KnowTuningReport: Sendable, Equatable, Codable {
    public struct Records: Sendable, Equatable, Codable {
        public init() {}

        public var loaded = 0
        public var withFacts = 0
        /// Extraction finished with no facts (nothing followed it but the selection).
        public var withoutFacts = 0
        public var extractionFailed = 0
        public var pending = 0
        /// Records refused at load (with their reasons in the manifest); not part of `loaded`.
        public var rejected = 0

        enum CodingKeys: String, CodingKey {
            case loaded, pending, rejected
            case withFacts = "with_facts"
            case withoutFacts = "without_facts"
            case extractionFailed = "extraction_failed"
        }
    }

    public struct Facts: Sendable, Equatable, Codable {
        public init() {}

        public var extracted = 0
        /// Statements normalisation removed (empty, duplicate, over `max_facts`).
        public var discarded = 0
        public var scored = 0
        public var scoreFailed = 0
        public var hard = 0
        public var rewritten = 0
        public var rewriteFailed = 0

        enum CodingKeys: String, CodingKey {
            case extracted, discarded, scored, hard, rewritten
            case scoreFailed = "score_failed"
            case rewriteFailed = "rewrite_failed"
        }
    }

    /// Tasks of one kind by how they ended.
    public struct StageCounts: Sendable, Equatable, Codable {
        public init() {}

        public var completed = 0
        public var failed = 0
        public var pending = 0

        mutating func add<Output>(_ stage: KnowTuningRecordOutcome.Stage<Output>) {
            switch stage {
            case .completed: completed += 1
            case .failed: failed += 1
            case .pending: pending += 1
            }
        }
    }

    public struct Aspect: Sendable, Equatable, Codable {
        public init() {}

        /// Records with enough facts for this corruption.
        public var eligible = 0
        /// Negatives written.
        public var corrupted = 0
        /// Negatives whose verification finished.
        public var verified = 0
        /// Exported preference pairs (verification passed).
        public var pairs = 0
        /// Records without a pair in this aspect, by reason.
        public var excluded: [String: Int] = [:]
    }

    /// min, quartiles and max (quartiles interpolated linearly between ranks, as numpy's default).
    public struct Distribution: Sendable, Equatable, Codable {
        public var count: Int
        public var min: Double
        public var p25: Double
        public var median: Double
        public var p75: Double
        public var max: Double

        /// Nil for no values.
        public init?(_ values: [Double]) {
            let sorted = values.filter { !$0.isNaN }.sorted()
            guard let first = sorted.first, let last = sorted.last else { return nil }
            count = sorted.count
            min = first
            p25 = Self.quantile(sorted, 0.25)
            median = Self.quantile(sorted, 0.5)
            p75 = Self.quantile(sorted, 0.75)
            max = last
        }

        static func quantile(_ sorted: [Double], _ q: Double) -> Double {
            let position = Double(sorted.count - 1) * q
            let lower = Int(position.rounded(.down))
            let upper = Swift.min(lower + 1, sorted.count - 1)
            return sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
        }
    }

    public struct Exports: Sendable, Equatable, Codable {
        public init() {}

        public var sft = 0
        public var sftOriginal = 0
        public var sftRewritten = 0
        public var dpo = 0

        enum CodingKeys: String, CodingKey {
            case sft, dpo
            case sftOriginal = "sft_original"
            case sftRewritten = "sft_rewritten"
        }
    }

    public var recipe = "knowtuning"
    public var build: String
    public var records = Records()
    public var facts = Facts()
    /// Over every scored fact; nil when none was.
    public var perplexity: Distribution?
    /// Over the facts selected as hard.
    public var hardPerplexity: Distribution?
    /// By task kind.
    public var stages: [String: StageCounts] = [:]
    /// By aspect (`completeness`, `factuality`, `logicality`).
    public var aspects: [String: Aspect] = [:]
    /// Every aspect's exclusions together, by reason.
    public var exclusions: [String: Int] = [:]
    public var exports = Exports()

    enum CodingKeys: String, CodingKey {
        case recipe, build, records, facts, perplexity, stages, aspects, exclusions, exports
        case hardPerplexity = "hard_perplexity"
    }

    public init(build: String) {
        self.build = build
    }
}
