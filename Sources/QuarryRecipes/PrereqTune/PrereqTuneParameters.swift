import QuarryJSON

/// prereq_tune's parameters, typed: what `RecipeParameters` holds for a build, decoded once.
public struct PrereqTuneParameters: Sendable, Equatable, Codable {
    /// What kind of entity is invented, and so which prompts, fact sheets and task prompt are used.
    public enum Domain: String, Sendable, Codable, CaseIterable {
        case bio, medical

        /// The sentence target when the spec leaves `sentences` at 0 (the paper's ~5–7 for persons, ~4–5 for medical).
        public var defaultSentences: Int { self == .bio ? 6 : 5 }
        /// What the entity is called in prompts.
        public var entityNoun: String { self == .bio ? "person" : "medical entity" }
    }

    /// Long-form biographies/descriptions (`top_down`) or short question answering (`bottom_up`).
    public enum Strategy: String, Sendable, Codable, CaseIterable {
        case topDown = "top_down"
        case bottomUp = "bottom_up"
    }

    public var versions: Int
    public var domain: Domain
    public var sentences: Int
    public var strategy: Strategy
    public var maxRegenerations: Int
    public var nameAttempts: Int
    public var minLexicalSupport: Double
    public var judge: Bool
    public var generationTemperature: Double
    public var judgeTemperature: Double
    public var maxTokens: Int

    enum CodingKeys: String, CodingKey {
        case versions, domain, sentences, strategy, judge
        case maxRegenerations = "max_regenerations"
        case nameAttempts = "name_attempts"
        case minLexicalSupport = "min_lexical_support"
        case generationTemperature = "generation_temperature"
        case judgeTemperature = "judge_temperature"
        case maxTokens = "max_tokens"
    }

    /// The sentence target of a biography or description.
    public var sentenceTarget: Int { sentences > 0 ? sentences : domain.defaultSentences }

    /// The most regeneration levels any build can have (the range of `max_regenerations`): handlers
    /// are registered for every level up to it.
    public static let regenerationLimit = 3

    /// The parameter definitions (names, ranges, defaults, help) specs are checked against.
    public static let definitions: [RecipeParameter] = [
        RecipeParameter("versions", .integer(1...10), default: 5, help: "knowledge versions K per entity (shapes the graph)"),
        RecipeParameter("domain", .choice(Domain.allCases.map(\.rawValue)), default: "bio", help: "invent persons (bio) or medical entities"),
        RecipeParameter(
            "sentences", .integer(0...15), default: 0,
            help: "sentence target of a biography or description; 0: the domain's (6 for bio, 5 for medical)"),
        RecipeParameter(
            "strategy", .choice(Strategy.allCases.map(\.rawValue)), default: "top_down",
            help: "top_down: long-form biographies, statements and passages; bottom_up: short QA from invented facts"),
        RecipeParameter(
            "max_regenerations", .integer(0...regenerationLimit), default: 2,
            help: "times a version that fails verification is regenerated before it is excluded (shapes the graph)"),
        RecipeParameter(
            "name_attempts", .integer(1...10), default: 4,
            help: "names asked for per entity before it is excluded for colliding with a seed or another generated name"),
        RecipeParameter(
            "min_lexical_support", .number(0...1), default: 0.75,
            help: "fraction of a statement's content words a text must contain to support it (and no missing number)"),
        RecipeParameter("judge", .boolean, default: true, help: "also ask the judge whether each task answer is supported by its version's statements"),
        RecipeParameter("generation_temperature", .number(0...2), default: 0.9, help: "temperature of entity, version and passage generation"),
        RecipeParameter("judge_temperature", .number(0...2), default: 0, help: "temperature of the judge"),
        RecipeParameter("max_tokens", .integer(64...8_192), default: 1_024, help: "completion limit per call"),
    ]
}
