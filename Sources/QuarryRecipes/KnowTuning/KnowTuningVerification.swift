/// The output of `knowtuning.verify`: whether a negative is what its aspect says it is.
public struct KnowTuningVerification: Sendable, Equatable, Codable {
    /// The judge's answer about one revised statement (factuality).
    public struct Judgement: Sendable, Equatable, Codable {
        public var original: String
        public var revised: String
        public var contradicts: Bool
        public var reason: String?
        public var call: LLMCallRecord

        public init(original: String, revised: String, contradicts: Bool, reason: String?, call: LLMCallRecord) {
            self.original = original
            self.revised = revised
            self.contradicts = contradicts
            self.reason = reason
            self.call = call
        }
    }

    public var aspect: KnowTuningAspect
    public var passed: Bool
    /// Why it failed; nil when it passed.
    public var reason: KnowTuningExclusion?
    /// A sentence a person can act on.
    public var detail: String?
    /// Factuality only: one per revised statement, in order.
    public var judgements: [Judgement]?

    public init(aspect: KnowTuningAspect, passed: Bool, reason: KnowTuningExclusion?, detail: String?, judgements: [Judgement]? = nil) {
        self.aspect = aspect
        self.passed = passed
        self.reason = reason
        self.detail = detail
        self.judgements = judgements
    }

    public static func pass(_ aspect: KnowTuningAspect, judgements: [Judgement]? = nil) -> Self {
        Self(aspect: aspect, passed: true, reason: nil, detail: nil, judgements: judgements)
    }

    public static func fail(_ aspect: KnowTuningAspect, _ reason: KnowTuningExclusion, _ detail: String, judgements: [Judgement]? = nil) -> Self {
        Self(aspect: aspect, passed: false, reason: reason, detail: detail, judgements: judgements)
    }
}
