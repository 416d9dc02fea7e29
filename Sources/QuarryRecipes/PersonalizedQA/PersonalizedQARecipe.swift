import Foundation
import QuarryJSON
import QuarryLLM
import QuarryQueue

/// Sy-SE-PQA ("Synthetic Data Generation with Large Language Models for Personalized Community Question
/// Answering", arXiv:2410.22182): LLM answers to StackExchange questions as retriever training positives,
/// conditioned on the asker's profile, judged for hallucinations, with rates compared across generators.
///
/// Per question, one `pqa.answer` per variant × generator (seed variants `basic@gpt`, …), each followed
/// by one `pqa.judge`. The export writes per arm `pairs.jsonl` and `triplets.jsonl` (sentence-transformers'
/// column order), `answers.jsonl` and `hallucination_report.json`.
public struct PersonalizedQARecipe: Recipe, ListInputFields {
    public static let recipeName = "personalized_qa"

    public enum Kind {
        public static let answer = TaskKind<Seed<PersonalizedQARecord>, PersonalizedQAAnswer>("pqa.answer", family: .generation, priority: 5)
        public static let judge = TaskKind<Follows<PersonalizedQAAnswer>, PersonalizedQAJudgement>("pqa.judge", family: .verification)
    }

    public typealias Parameters = PersonalizedQAParameters

    public enum Role {
        /// The default generator, when `generators` is not set.
        public static let generator = "generator"
        public static let judge = "judge"
    }

    public init() {}

    public let name = recipeName
    public let summary =
        "answers to community questions in four prompt variants (basic, personalized, title only, contextual) from several generators, judged for hallucinations; retrieval pairs and triplets, rates per variant x generator"

    public var parameters: [RecipeParameter] { Self.parameterDefinitions }

    public let listInputFields: Set<String> = ["tags"]

    public static let parameterDefinitions: [RecipeParameter] = [
        RecipeParameter(
            "variants", .text, default: "basic, personalized, personalized_title_only, contextual",
            help: "the prompt variants to generate, comma-separated: basic, personalized, personalized_title_only, contextual"),
        RecipeParameter(
            "generators", .text, default: .string(Role.generator),
            help: "the generators to compare, comma-separated: roles mapped under endpoints: or endpoint names; each answers every variant"),
        RecipeParameter(
            "hard_negatives", .boolean, default: false,
            help: "triplet negatives are the community's other answer that best matches the question (BM25), instead of a random one"),
        RecipeParameter(
            "exclude_hallucinated", .boolean, default: true, help: "answers the judge flags stay out of pairs and triplets (they stay in the report)"),
        RecipeParameter(
            "exclude_off_topic", .boolean, default: false, help: "answers that use the asker's profile off-topic stay out of pairs and triplets"),
        RecipeParameter("generation_temperature", .number(0...2), default: 0.7, help: "temperature of the answers"),
        RecipeParameter("judge_temperature", .number(0...2), default: 0, help: "temperature of the judge"),
        RecipeParameter("max_tokens", .integer(16...8_192), default: 512, help: "completion limit per call"),
    ]

    public let roles = [
        RecipeRole(Role.generator, help: "answers questions (the default generator; more are named in the generators parameter)"),
        RecipeRole(Role.judge, help: "checks answers for hallucinated content and off-topic use of the asker's profile"),
    ]

    public let inputFields = [
        RecipeInputField("id", required: true, help: "the question's identifier"),
        RecipeInputField("community", required: true, help: "the StackExchange community (site) it was asked in; negatives come from the same one"),
        RecipeInputField("title", required: true, help: "the question's title"),
        RecipeInputField("body", required: true, help: "the question's body (HTML is stripped to text)"),
        RecipeInputField("tags", required: true, help: "the asker's tags, their profile (a list, or '<a><b>' or comma-separated; the first 5 are used)"),
        RecipeInputField("best_answer", required: false, help: "the accepted human answer: the judge's reference"),
    ]

    public let prompts: [RecipePrompt] =
        PersonalizedQAVariant.allCases.map { variant in
            RecipePrompt(variant.promptName, supplies: PersonalizedQAPrompts.answerPlaceholders, requires: PersonalizedQAPrompts.required(for: variant))
        } + [RecipePrompt(PersonalizedQAPrompts.judge, supplies: PersonalizedQAPrompts.judgePlaceholders, requires: ["answer", "title"])]
}

extension PersonalizedQARecipe {
    /// One seed variant per arm (`basic@gpt`, …): every variant for every generator of the build. The
    /// parameters were only checked as text at submit, so a list that does not decode still seeds what
    /// it names, and the handler fails those tasks saying which name is unknown.
    public func graph(parameters: RecipeParameters) -> RecipeGraph {
        var graph = RecipeGraph()
        let arms = (try? Parameters(parameters))?.arms.map(\.key) ?? Self.namedArms(parameters)
        graph.seed(kind: Kind.answer, variants: arms)
        graph.then(from: Kind.answer, to: Kind.judge)
        return graph
    }

    /// `variant@generator` for every comma-separated name, known or not.
    static func namedArms(_ parameters: RecipeParameters) -> [String] {
        func names(_ key: String) -> [String] {
            (parameters[key]?.stringValue ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return names("variants").flatMap { variant in names("generators").map { "\(variant)@\($0)" } }
    }

    public func register(into handlers: inout GraphHandlers) {
        handlers.register(Kind.answer) { try await PersonalizedQAAnswerHandler(service: $1.service).handle($0, context: $1) }
        handlers.register(Kind.judge) { _, context in
            let answer = try await context.output(of: Kind.answer)
            let record = try await context.payload(of: Kind.answer).record
            return try await PersonalizedQAJudgeHandler(service: context.service).handle(record: record, answer: answer, context: context)
        }
    }

    public func export(_ context: ExportContext) async throws -> RecipeExportSummary {
        try await PersonalizedQAExporter(context: context).run()
    }

    /// The endpoint a generator name stands for: the endpoint its role maps to, or the name itself.
    /// Variants must be known and every generator must name a role mapped under `endpoints:` or an
    /// endpoint of the endpoints file: a misspelt one would otherwise wait for an endpoint nobody serves.
    public func check(_ spec: StoredBuildSpec, endpoints: EndpointRegistry?) throws(RecipeError) {
        let parameters = try Parameters(spec.parameters)
        guard let endpoints else { return }
        for generator in parameters.generators {
            let endpoint = Self.endpoint(forGenerator: generator, spec: spec)
            guard endpoints[endpoint] == nil else { continue }
            let roles = spec.endpoints.keys.sorted().joined(separator: ", ")
            throw RecipeError(
                .unknownEndpoint,
                "generator '\(generator)' is neither a role mapped under endpoints: (\(roles)) nor an endpoint in \(endpoints.source) (configured: \(endpoints.names.joined(separator: ", ")))",
                field: "parameters.generators")
        }
    }

    static func endpoint(forGenerator generator: String, spec: StoredBuildSpec) -> String {
        spec.endpoints[generator] ?? generator
    }
}
