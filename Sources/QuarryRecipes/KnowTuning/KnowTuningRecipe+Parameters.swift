import QuarryJSON

extension KnowTuningRecipe {
    /// A build's parameters, typed. Decoded from the build's stored values, which submit filled from
    /// `definitions` (the only place defaults live), so every field is present.
    public struct Parameters: Sendable, Equatable, Codable {
        /// Fraction of a record's scored facts kept as hard (largest perplexity first).
        public var alpha: Double
        /// Fraction of the facts the completeness corruption drops.
        public var beta: Double
        /// Score a fact's tokens with the question as prefix (true) or the fact alone (false).
        public var conditionOnQuestion: Bool
        /// Also write LLaMA-Factory's ranking form of the preference pairs.
        public var llamaFactory: Bool
        /// Facts kept per record after normalisation (the rest are dropped and counted).
        public var maxFacts: Int
        public var extractionTemperature: Double
        public var generationTemperature: Double
        public var judgeTemperature: Double
        public var maxTokens: Int

        enum CodingKeys: String, CodingKey {
            case alpha, beta
            case conditionOnQuestion = "condition_on_question"
            case llamaFactory = "llama_factory"
            case maxFacts = "max_facts"
            case extractionTemperature = "extraction_temperature"
            case generationTemperature = "generation_temperature"
            case judgeTemperature = "judge_temperature"
            case maxTokens = "max_tokens"
        }

        /// The tunables, with their ranges and defaults.
        public static let definitions: [RecipeParameter] = [
            RecipeParameter(
                CodingKeys.alpha.rawValue, .number(0...1), default: 0.5,
                help: "fraction of each record's facts kept as hard (highest perplexity) and rewritten into SFT pairs"),
            RecipeParameter(
                CodingKeys.beta.rawValue, .number(0...1), default: 0.5,
                help: "fraction of the facts the completeness negative drops (at least one dropped, at least one kept)"),
            RecipeParameter(
                CodingKeys.conditionOnQuestion.rawValue, .boolean, default: true,
                help: "score only a fact's tokens with the question as prefix; false scores the fact alone"),
            RecipeParameter(
                CodingKeys.llamaFactory.rawValue, .boolean, default: false,
                help: "also export llama_factory/ranking.jsonl and its dataset_info.json entry"),
            RecipeParameter(
                CodingKeys.maxFacts.rawValue, .integer(1...256), default: 32,
                help: "facts kept per record (in the model's order); the rest are dropped, which bounds the scoring fan-out"),
            RecipeParameter(
                CodingKeys.extractionTemperature.rawValue, .number(0...2), default: 0, help: "temperature of fact extraction"),
            RecipeParameter(
                CodingKeys.generationTemperature.rawValue, .number(0...2), default: 0.7,
                help: "temperature of rewrites and corrupted answers"),
            RecipeParameter(CodingKeys.judgeTemperature.rawValue, .number(0...2), default: 0, help: "temperature of the contradiction judge"),
            RecipeParameter(CodingKeys.maxTokens.rawValue, .integer(16...8_192), default: 1_024, help: "completion limit per call"),
        ]

        public init(
            alpha: Double, beta: Double, conditionOnQuestion: Bool, llamaFactory: Bool, maxFacts: Int, extractionTemperature: Double,
            generationTemperature: Double, judgeTemperature: Double, maxTokens: Int
        ) {
            self.alpha = alpha
            self.beta = beta
            self.conditionOnQuestion = conditionOnQuestion
            self.llamaFactory = llamaFactory
            self.maxFacts = maxFacts
            self.extractionTemperature = extractionTemperature
            self.generationTemperature = generationTemperature
            self.judgeTemperature = judgeTemperature
            self.maxTokens = maxTokens
        }
    }
}
