/// prereq_tune's `report.json`: how many entities and versions made it, the verification pass rates,
/// and every exclusion by reason.
public struct PrereqReport: Sendable, Equatable, Codable {
    public struct Verification: Sendable, Equatable, Codable {
        /// Versions of named entities that reached verification.
        public var versions = 0
        /// Passed the first verification.
        public var firstPass = 0
        /// Passed after one or more regenerations.
        public var passedAfterRegeneration = 0
        /// Regenerations written (all levels).
        public var regenerations = 0
        /// Failed every attempt (excluded).
        public var failed = 0

        public var firstPassRate: Double? { ReportRate.of(firstPass, versions) }
        public var finalPassRate: Double? { ReportRate.of(firstPass + passedAfterRegeneration, versions) }

        enum CodingKeys: String, CodingKey {
            case versions, regenerations, failed
            case firstPass = "first_pass"
            case passedAfterRegeneration = "passed_after_regeneration"
            case firstPassRate = "first_pass_rate"
            case finalPassRate = "final_pass_rate"
        }

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            versions = try c.decode(Int.self, forKey: .versions)
            firstPass = try c.decode(Int.self, forKey: .firstPass)
            passedAfterRegeneration = try c.decode(Int.self, forKey: .passedAfterRegeneration)
            regenerations = try c.decode(Int.self, forKey: .regenerations)
            failed = try c.decode(Int.self, forKey: .failed)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(versions, forKey: .versions)
            try c.encode(firstPass, forKey: .firstPass)
            try c.encode(passedAfterRegeneration, forKey: .passedAfterRegeneration)
            try c.encode(regenerations, forKey: .regenerations)
            try c.encode(failed, forKey: .failed)
            // Written as null when nothing was verified, so every report has the same keys.
            try c.encode(firstPassRate, forKey: .firstPassRate)
            try c.encode(finalPassRate, forKey: .finalPassRate)
        }
    }

    public var recipe = "prereq_tune"
    public var build: String
    public var strategy: String
    public var domain: String
    /// K.
    public var versions: Int
    /// Seed records.
    public var seeds = 0
    /// Entities exported (all K versions verified).
    public var entities = 0
    /// Seeds without an exported entity, by reason.
    public var exclusions: [String: Int] = [:]
    /// Failed versions (after every regeneration), by failure code.
    public var versionExclusions: [String: Int] = [:]
    /// Names refused (seed names, collisions), by problem.
    public var rejectedNames: [String: Int] = [:]
    /// Exported knowledge statements per version ("1" … "K").
    public var statementsPerVersion: [String: Int] = [:]
    /// Statements dropped because they did not name the entity.
    public var unnamedStatements = 0
    /// Exported versions without a passage (their passage task died; see the manifest's dead tasks).
    public var missingPassages = 0
    public var verification = Verification()

    enum CodingKeys: String, CodingKey {
        case recipe, build, strategy, domain, versions, seeds, entities, exclusions, verification
        case versionExclusions = "version_exclusions"
        case rejectedNames = "rejected_names"
        case statementsPerVersion = "statements_per_version"
        case unnamedStatements = "unnamed_statements"
        case missingPassages = "missing_passages"
    }

    public init(build: String, parameters: PrereqTuneParameters) {
        self.build = build
        self.strategy = parameters.strategy.rawValue
        self.domain = parameters.domain.rawValue
        self.versions = parameters.versions
    }
}
