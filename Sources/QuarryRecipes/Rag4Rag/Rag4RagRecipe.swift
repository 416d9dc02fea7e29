import QuarryLLM
import QuarryQueue

/// rag4rag (github.com/m-newhauser/rag4rag): (context, question, answer) data for retriever fine-tuning, with hallucinated
/// answers caught by a judge and regenerated with retrieval.
///
/// Per passage, two labelled arms are seeded as variants of `rag4rag.generate`:
/// - `zero_shot`: the generator sees only a topic hint (the record's title or question), never the
///   passage — the seed's baseline, kept as a measured arm;
/// - `grounded`: the generator sees the passage.
///
/// Each answer is verified against the passage (`rag4rag.verify`: an LLM judge combined with a
/// deterministic lexical-support check). Unsupported answers get `rag4rag.regenerate`: the top-k passages
/// for the question from the build's own records (PostgreSQL full-text search), and a strict
/// "answer only from the context, exact span" prompt; `rag4rag.reverify` then checks the new answer
/// against the gold passage.
public struct Rag4RagRecipe: Recipe {
    public enum Kind {
        public static let generate = TaskKind<Seed<Rag4RagRecord>, Rag4RagGenerated>("rag4rag.generate", family: .generation, priority: 5)
        public static let verify = TaskKind<Follows<Rag4RagGenerated>, Rag4RagVerification>("rag4rag.verify", family: .verification)
        public static let regenerate = TaskKind<Follows<Rag4RagVerification>, Rag4RagRegeneration>("rag4rag.regenerate", family: .generation)
        public static let reverify = TaskKind<Follows<Rag4RagRegeneration>, Rag4RagVerification>("rag4rag.reverify", family: .verification)
    }

    public typealias Arm = Rag4RagArm

    public enum Role {
        public static let generator = "generator"
        public static let judge = "judge"
    }

    public enum Prompt {
        public static let generateGrounded = "generate_grounded"
        public static let generateZeroShot = "generate_zero_shot"
        public static let verify = "verify"
        public static let regenerate = "regenerate"
    }

    /// The build's parameters, typed (defaults only in `parameters` below).
    public struct Parameters: Codable, Sendable {
        public var topK: Int
        public var generationTemperature: Double
        public var judgeTemperature: Double
        public var regenerationTemperature: Double
        public var maxTokens: Int
        public var minLexicalSupport: Double
        public var strictNumbers: Bool

        enum CodingKeys: String, CodingKey {
            case topK = "top_k"
            case generationTemperature = "generation_temperature"
            case judgeTemperature = "judge_temperature"
            case regenerationTemperature = "regeneration_temperature"
            case maxTokens = "max_tokens"
            case minLexicalSupport = "min_lexical_support"
            case strictNumbers = "strict_numbers"
        }
    }

    public let exampleSpec = "demo.build.yaml"

    public init() {}

    public let name = "rag4rag"
    public let summary = "grounded QA pairs per passage (zero-shot and grounded arms), judged, hallucinations regenerated with retrieval"

    public let parameters: [RecipeParameter] = [
        RecipeParameter("top_k", .integer(1...20), default: 3, help: "passages retrieved for a regeneration"),
        RecipeParameter("generation_temperature", .number(0...2), default: 0.7, help: "temperature of question/answer generation"),
        RecipeParameter("judge_temperature", .number(0...2), default: 0, help: "temperature of the judge"),
        RecipeParameter("regeneration_temperature", .number(0...2), default: 0, help: "temperature of the retrieval-grounded regeneration"),
        RecipeParameter("max_tokens", .integer(16...8_192), default: 512, help: "completion limit per call"),
        RecipeParameter(
            "min_lexical_support", .number(0...1), default: 0.5,
            help: "fraction of the answer's content words that must occur in the passage, whatever the judge says"),
        RecipeParameter(
            "strict_numbers", .boolean, default: true, help: "an answer with a number the passage does not contain is unsupported"),
    ]

    public let roles = [
        RecipeRole(Role.generator, help: "writes questions and answers"),
        RecipeRole(Role.judge, help: "checks answers against passages"),
    ]

    public let inputFields = [
        RecipeInputField("passage", required: true, retrievable: true, help: "the passage (context) questions are generated from"),
        RecipeInputField("topic", required: true, help: "the topic hint the zero-shot arm gets instead of the passage (a title or question)"),
        RecipeInputField("question", required: false, help: "a gold question, exported alongside for reference"),
        RecipeInputField("id", required: false, help: "the record's own identifier, exported for provenance"),
    ]

    public let prompts = [
        RecipePrompt(Prompt.generateGrounded, supplies: ["passage", "topic"], requires: ["passage"]),
        RecipePrompt(Prompt.generateZeroShot, supplies: ["topic"], requires: ["topic"]),
        RecipePrompt(Prompt.verify, supplies: ["passage", "question", "answer"], requires: ["passage", "answer"]),
        RecipePrompt(Prompt.regenerate, supplies: ["contexts", "question"], requires: ["contexts", "question"]),
    ]

    public func graph(parameters: RecipeParameters) -> RecipeGraph {
        var graph = RecipeGraph()
        graph.seed(kind: Kind.generate, variants: Arm.seeded.map(\.rawValue))
        graph.then(from: Kind.generate, to: Kind.verify)
        graph.then(from: Kind.verify, to: Kind.regenerate, when: .equals("verdict", Rag4RagVerdict.unsupported.rawValue))
        graph.then(from: Kind.regenerate, to: Kind.reverify)
        return graph
    }

    public func register(into handlers: inout GraphHandlers) {
        handlers.register(Kind.generate) { try await Rag4RagGenerateHandler(service: $1.service).handle($0, context: $1) }
        handlers.register(Kind.verify) { payload, context in
            let generated = try await context.output(of: Kind.generate)
            let record = try await context.payload(of: Kind.generate).record
            return try await Rag4RagVerifyHandler(service: context.service, stage: .verify)
                .handle(record: record, question: generated.question, answer: generated.answer, context: context)
        }
        handlers.register(Kind.regenerate) { try await Rag4RagRegenerateHandler(service: $1.service).handle($0, context: $1) }
        handlers.register(Kind.reverify) { payload, context in
            let regenerated = try await context.output(of: Kind.regenerate)
            let record = try await context.payload(of: Kind.generate).record
            return try await Rag4RagVerifyHandler(service: context.service, stage: .reverify)
                .handle(record: record, question: regenerated.question, answer: regenerated.answer, context: context)
        }
    }

    public func export(_ context: ExportContext) async throws -> RecipeExportSummary {
        try await Rag4RagExporter(context: context).run()
    }
}
