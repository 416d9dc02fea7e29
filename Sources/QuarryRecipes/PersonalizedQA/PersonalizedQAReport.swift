/// `hallucination_report.json`: hallucination and off-topic-profile rates per variant × generator (the
/// method's comparison of generators), per variant, per generator and per community, each with its
/// counts and a 95 % Wilson interval.
///
/// Rates are over judged answers: an answer whose generation or judgement died counts as `failed`, one
/// still running as `pending`, and neither enters a rate.
public struct PersonalizedQAReport: Sendable, Equatable, Codable {
    public struct Counts: Sendable, Equatable, Codable {
        /// Answers the build asked for (one per question and arm).
        public var expected = 0
        public var answered = 0
        public var judged = 0
        public var hallucinated = 0
        public var offTopicProfile = 0
        public var failed = 0
        public var pending = 0

        public init() {}

        public var hallucinationRate: Double? { ReportRate.of(hallucinated, judged) }
        public var hallucinationInterval: WilsonInterval? { WilsonInterval(successes: hallucinated, trials: judged)?.rounded }
        public var offTopicRate: Double? { ReportRate.of(offTopicProfile, judged) }
        public var offTopicInterval: WilsonInterval? { WilsonInterval(successes: offTopicProfile, trials: judged)?.rounded }

        mutating func add(_ other: Counts) {
            expected += other.expected
            answered += other.answered
            judged += other.judged
            hallucinated += other.hallucinated
            offTopicProfile += other.offTopicProfile
            failed += other.failed
            pending += other.pending
        }

        enum CodingKeys: String, CodingKey {
            case expected, answered, judged, hallucinated, failed, pending
            case offTopicProfile = "off_topic_profile"
            case hallucinationRate = "hallucination_rate"
            case hallucinationInterval = "hallucination_rate_95"
            case offTopicRate = "off_topic_rate"
            case offTopicInterval = "off_topic_rate_95"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            expected = try c.decode(Int.self, forKey: .expected)
            answered = try c.decode(Int.self, forKey: .answered)
            judged = try c.decode(Int.self, forKey: .judged)
            hallucinated = try c.decode(Int.self, forKey: .hallucinated)
            offTopicProfile = try c.decode(Int.self, forKey: .offTopicProfile)
            failed = try c.decode(Int.self, forKey: .failed)
            pending = try c.decode(Int.self, forKey: .pending)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(expected, forKey: .expected)
            try c.encode(answered, forKey: .answered)
            try c.encode(judged, forKey: .judged)
            try c.encode(hallucinated, forKey: .hallucinated)
            try c.encode(offTopicProfile, forKey: .offTopicProfile)
            try c.encode(failed, forKey: .failed)
            try c.encode(pending, forKey: .pending)
            // Written as null when nothing was judged, so every report has the same keys.
            try c.encode(hallucinationRate, forKey: .hallucinationRate)
            try c.encode(hallucinationInterval, forKey: .hallucinationInterval)
            try c.encode(offTopicRate, forKey: .offTopicRate)
            try c.encode(offTopicInterval, forKey: .offTopicInterval)
        }
    }

    /// What one arm contributed to the training files.
    public struct Training: Sendable, Equatable, Codable {
        public var pairs = 0
        public var triplets = 0
        public var excludedHallucinated = 0
        public var excludedOffTopic = 0
        /// Kept answers without a triplet: no other question of their community had a kept answer.
        public var withoutNegative = 0

        public init() {}

        enum CodingKeys: String, CodingKey {
            case pairs, triplets
            case excludedHallucinated = "excluded_hallucinated"
            case excludedOffTopic = "excluded_off_topic"
            case withoutNegative = "without_negative"
        }
    }

    public struct Arm: Sendable, Equatable, Codable {
        public var variant: PersonalizedQAVariant
        public var generator: String
        public var endpoint: String
        /// Models that answered (from the calls' records).
        public var models: [String] = []
        public var counts = Counts()
        public var training = Training()

        public init(variant: PersonalizedQAVariant, generator: String, endpoint: String) {
            self.variant = variant
            self.generator = generator
            self.endpoint = endpoint
        }
    }

    public struct Community: Sendable, Equatable, Codable {
        public var questions = 0
        public var counts = Counts()
        /// Per arm (`variant@generator`).
        public var arms: [String: Counts] = [:]

        public init() {}
    }

    public var recipe = PersonalizedQARecipe.recipeName
    public var build: String
    public var confidenceLevel = 0.95
    public var questions = 0
    public var excludeHallucinated: Bool
    public var excludeOffTopic: Bool
    public var hardNegatives: Bool
    /// Per arm, keyed `variant@generator`.
    public var arms: [String: Arm] = [:]
    public var variants: [String: Counts] = [:]
    public var generators: [String: Counts] = [:]
    public var communities: [String: Community] = [:]
    public var overall = Counts()

    enum CodingKeys: String, CodingKey {
        case recipe, build, questions, arms, variants, generators, communities, overall
        case confidenceLevel = "confidence_level"
        case excludeHallucinated = "exclude_hallucinated"
        case excludeOffTopic = "exclude_off_topic"
        case hardNegatives = "hard_negatives"
    }

    public init(build: String, parameters: PersonalizedQAParameters) {
        self.build = build
        self.excludeHallucinated = parameters.excludeHallucinated
        self.excludeOffTopic = parameters.excludeOffTopic
        self.hardNegatives = parameters.hardNegatives
    }
}
