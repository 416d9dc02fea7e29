/// rag4rag's `report.json`: hallucination rates per arm, before and after RAG repair.
///
/// Denominators follow the seed: `hallucinationRate` is over an arm's verified answers;
/// `rateAfterRAG` is over the regenerations of its hallucinated answers that were re-verified (the
/// seed's "21% of those still hallucinated"); `finalRate` is over all its verified answers again,
/// counting an answer as fixed when its regeneration passed.
public struct Rag4RagReport: Sendable, Equatable, Codable {
    public struct Arm: Sendable, Equatable, Codable {
        public var generated = 0
        public var verified = 0
        public var supported = 0
        public var unsupported = 0
        /// Generated but not verified yet.
        public var pending = 0
        /// Generation or verification died (see the manifest's dead tasks).
        public var failed = 0
        public var regenerated = 0
        public var reverified = 0
        public var repaired = 0
        public var stillUnsupported = 0
        public var goldRetrieved = 0

        public var hallucinationRate: Double? { Self.ratio(unsupported, verified) }
        public var rateAfterRAG: Double? { Self.ratio(stillUnsupported, reverified) }
        public var finalRate: Double? { Self.ratio(unsupported - repaired, verified) }
        public var goldRetrievalRate: Double? { Self.ratio(goldRetrieved, regenerated) }

        /// Adds `other`'s counts (for the all-arms total).
        mutating func add(_ other: Rag4RagReport.Arm) {
            generated += other.generated
            verified += other.verified
            supported += other.supported
            unsupported += other.unsupported
            pending += other.pending
            failed += other.failed
            regenerated += other.regenerated
            reverified += other.reverified
            repaired += other.repaired
            stillUnsupported += other.stillUnsupported
            goldRetrieved += other.goldRetrieved
        }

        static func ratio(_ part: Int, _ whole: Int) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) }

        enum CodingKeys: String, CodingKey {
            case generated, verified, supported, unsupported, pending, failed, regenerated, reverified, repaired
            case stillUnsupported = "still_unsupported"
            case goldRetrieved = "gold_retrieved"
            case hallucinationRate = "hallucination_rate"
            case rateAfterRAG = "rate_after_rag"
            case finalRate = "final_hallucination_rate"
            case goldRetrievalRate = "gold_retrieval_rate"
        }

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            generated = try c.decode(Int.self, forKey: .generated)
            verified = try c.decode(Int.self, forKey: .verified)
            supported = try c.decode(Int.self, forKey: .supported)
            unsupported = try c.decode(Int.self, forKey: .unsupported)
            pending = try c.decode(Int.self, forKey: .pending)
            failed = try c.decode(Int.self, forKey: .failed)
            regenerated = try c.decode(Int.self, forKey: .regenerated)
            reverified = try c.decode(Int.self, forKey: .reverified)
            repaired = try c.decode(Int.self, forKey: .repaired)
            stillUnsupported = try c.decode(Int.self, forKey: .stillUnsupported)
            goldRetrieved = try c.decode(Int.self, forKey: .goldRetrieved)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(generated, forKey: .generated)
            try c.encode(verified, forKey: .verified)
            try c.encode(supported, forKey: .supported)
            try c.encode(unsupported, forKey: .unsupported)
            try c.encode(pending, forKey: .pending)
            try c.encode(failed, forKey: .failed)
            try c.encode(regenerated, forKey: .regenerated)
            try c.encode(reverified, forKey: .reverified)
            try c.encode(repaired, forKey: .repaired)
            try c.encode(stillUnsupported, forKey: .stillUnsupported)
            try c.encode(goldRetrieved, forKey: .goldRetrieved)
            // Rates are written as null when nothing was counted, so every report has the same keys.
            try c.encode(hallucinationRate, forKey: .hallucinationRate)
            try c.encode(rateAfterRAG, forKey: .rateAfterRAG)
            try c.encode(finalRate, forKey: .finalRate)
            try c.encode(goldRetrievalRate, forKey: .goldRetrievalRate)
        }
    }

    public var recipe = "rag4rag"
    public var build: String
    public var passages = 0
    /// Per seeded arm.
    public var arms: [String: Arm] = [:]
    /// All arms together.
    public var overall = Arm()

    public init(build: String) {
        self.build = build
    }
}
