import QuarryLLM
import QuarryQueue

/// PREREQ-TUNE ("Fictitious Synthetic Data Can Improve LLM Factuality via Prerequisite Learning",
/// arXiv:2410.19290): fictitious entities in K knowledge versions that disagree on facts, a knowledge
/// set (statements, passages) and a task set per version, verified per version group, exported in the
/// published layout (Hugging Face `Shiyu-Lab/Prereq_Tune`).
///
/// Graph per seed record (top-down; K = `versions`, R = `max_regenerations`, both shape it):
/// ```
/// prereq.entity ──repeat K (when named)──▶ prereq.biography ×K        biography + atomic statements
///      └─join over biographies──▶ prereq.verify                         group checks (+ judge)
///            ├─each failed──▶ prereq.regenerate ─┐                      written again with feedback
///            ├─each passed──▶ prereq.passage     │                      paraphrase of the statements
///            └─join over regenerations ◀─────────┘──▶ prereq.reverify.1 … up to prereq.reverify.R
/// ```
/// Bottom-up (short QA) has the same shape with `prereq.qa.triple`, `prereq.qa.verify`,
/// `prereq.qa.regenerate` and `prereq.qa.reverify.N`, and no passages. A version still failing at
/// level R is excluded with its reasons; an entity is exported only with all K versions verified.
public struct PrereqTuneRecipe: Recipe {
    public typealias Parameters = PrereqTuneParameters
    public typealias Verification = PrereqVerification<PrereqVersion>
    public typealias QAVerification = PrereqVerification<PrereqTriple>

    /// The kinds. Priorities (lower runs first) keep chains moving: an entity retried late is not left
    /// behind thousands of versions (every chain waits on its entity), verifications and regenerations
    /// go before first writings, and passages, which nothing waits on, go last.
    public enum Kind {
        public static let entity = TaskKind<Seed<PrereqTuneRecord>, PrereqEntity>("prereq.entity", family: .generation, priority: 2)
        /// After every entity of the build is named (a barrier): the name kept, or a new one when an earlier
        /// entity of the input holds it. Versions follow this kind, so they are written under the final name.
        public static let name = TaskKind<Follows<PrereqEntity>, PrereqEntity>("prereq.name", family: .verification, priority: 2)
        public static let biography = TaskKind<Follows<PrereqEntity>, PrereqVersion>("prereq.biography", family: .corruption, priority: 4)
        public static let verify = TaskKind<Joined<PrereqEntity>, Verification>("prereq.verify", family: .verification, priority: 3)
        public static let regenerate = TaskKind<EachElement<PrereqRegeneration>, PrereqVersion>("prereq.regenerate", family: .corruption, priority: 3)
        public static let passage = TaskKind<EachElement<PrereqPassageRequest>, PrereqPassage>("prereq.passage", family: .generation, priority: 5)
        /// Level `level` (1…R) of re-verification: one kind per level, so the chain ends at R.
        public static func reverify(_ level: Int) -> TaskKind<Joined<Verification>, Verification> {
            TaskKind("prereq.reverify.\(level)", family: .verification, priority: 3)
        }

        public static let triple = TaskKind<Follows<PrereqEntity>, PrereqTriple>("prereq.qa.triple", family: .corruption, priority: 4)
        public static let verifyQA = TaskKind<Joined<PrereqEntity>, QAVerification>("prereq.qa.verify", family: .verification, priority: 3)
        public static let regenerateQA = TaskKind<EachElement<PrereqRegeneration>, PrereqTriple>("prereq.qa.regenerate", family: .corruption, priority: 3)
        public static func reverifyQA(_ level: Int) -> TaskKind<Joined<QAVerification>, QAVerification> {
            TaskKind("prereq.qa.reverify.\(level)", family: .verification, priority: 3)
        }
    }

    public enum Role {
        public static let generator = "generator"
        public static let judge = "judge"
    }

    public init() {}

    public let name = "prereq_tune"
    public let summary = "fictitious entities in K knowledge versions (statements, passages, task rows), verified per version group (PREREQ-TUNE)"
    public var parameters: [RecipeParameter] { Parameters.definitions }
    public let roles = [
        RecipeRole(Role.generator, help: "invents entities, writes versions, statements and passages"),
        RecipeRole(Role.judge, help: "checks each task answer against its version's statements"),
    ]
    public let inputFields = [
        RecipeInputField(
            "name", required: true, retrievable: true,
            help: "the seed entity's name, a person or a medical entity (map `name: s_wiki_title` for Wikipedia-title inputs)")
    ]
    public var prompts: [RecipePrompt] { PrereqPrompts.all }

    public func graph(parameters values: RecipeParameters) -> RecipeGraph {
        // Checked at submit, so they decode; the defaults stand in only for values no submit produced.
        let typed = (try? Parameters(values)) ?? (try? Parameters.defaults)
        let versions = typed?.versions ?? 5
        let levels = min(typed?.maxRegenerations ?? 2, Parameters.regenerationLimit)
        var graph = RecipeGraph()
        graph.seed(kind: Kind.entity)
        graph.afterAll(from: Kind.entity, to: Kind.name, when: .isTrue("named"))
        if typed?.strategy == .bottomUp {
            graph.repeat(from: Kind.name, times: versions, to: Kind.triple, when: .isTrue("named"))
            graph.join(parent: Kind.name, over: [Kind.triple], to: Kind.verifyQA)
            Self.regenerations(&graph, from: Kind.verifyQA, level: 1, levels: levels, regenerate: Kind.regenerateQA, reverify: Kind.reverifyQA, passage: nil)
        } else {
            graph.repeat(from: Kind.name, times: versions, to: Kind.biography, when: .isTrue("named"))
            graph.join(parent: Kind.name, over: [Kind.biography], to: Kind.verify)
            graph.forEach(from: Kind.verify, field: ListField("passages"), to: Kind.passage)
            Self.regenerations(&graph, from: Kind.verify, level: 1, levels: levels, regenerate: Kind.regenerate, reverify: Kind.reverify, passage: Kind.passage)
        }
        return graph
    }

    /// Levels `level`…`levels` of the regeneration chain after `from`: its failed versions are written
    /// again, and the next level's verification joins over them (firing even when none failed).
    static func regenerations<Payload, Content>(
        _ graph: inout RecipeGraph, from: TaskKind<Payload, PrereqVerification<Content>>, level: Int, levels: Int,
        regenerate: TaskKind<EachElement<PrereqRegeneration>, Content>, reverify: (Int) -> TaskKind<Joined<PrereqVerification<Content>>, PrereqVerification<Content>>,
        passage: TaskKind<EachElement<PrereqPassageRequest>, PrereqPassage>?
    ) {
        guard level <= levels else { return }
        graph.forEach(
            from: from, field: ListField("failed"), to: regenerate, when: .compare(field: "level", .less, .parameter("max_regenerations")))
        let next = reverify(level)
        graph.join(parent: from, over: [regenerate], to: next)
        if let passage { graph.forEach(from: next, field: ListField("passages"), to: passage) }
        regenerations(&graph, from: next, level: level + 1, levels: levels, regenerate: regenerate, reverify: reverify, passage: passage)
    }

    public func register(into handlers: inout GraphHandlers) {
        handlers.register(Kind.entity) { try await PrereqEntityHandler().handle($0, context: $1) }
        handlers.register(Kind.name) { try await PrereqNameHandler().handle($0, context: $1) }

        handlers.register(Kind.biography) { payload, context in
            try await PrereqVersionWriter(context).biography(entity: try await context.output(of: Kind.name), version: payload.index, attempt: 0, feedback: "")
        }
        handlers.register(Kind.regenerate) { payload, context in
            let failure = payload.element
            return try await PrereqVersionWriter(context).biography(
                entity: try await context.output(of: Kind.name), version: failure.version, attempt: failure.attempt, feedback: failure.feedback)
        }
        handlers.register(Kind.passage) { try await PrereqPassageHandler().handle($0, context: $1) }
        Self.registerVerifications(&handlers, writing: Kind.biography, verify: Kind.verify, regenerate: Kind.regenerate, reverify: Kind.reverify)

        handlers.register(Kind.triple) { payload, context in
            try await PrereqVersionWriter(context).triple(entity: try await context.output(of: Kind.name), version: payload.index, attempt: 0, avoid: [])
        }
        handlers.register(Kind.regenerateQA) { payload, context in
            let failure = payload.element
            return try await PrereqVersionWriter(context).triple(
                entity: try await context.output(of: Kind.name), version: failure.version, attempt: failure.attempt, avoid: failure.avoid)
        }
        Self.registerVerifications(&handlers, writing: Kind.triple, verify: Kind.verifyQA, regenerate: Kind.regenerateQA, reverify: Kind.reverifyQA)
    }

    /// The group verification (level 0, over the K writings) and every re-verification level (over the
    /// regenerations of the level before) of one strategy.
    static func registerVerifications<Content: PrereqVersionContent>(
        _ handlers: inout GraphHandlers, writing: TaskKind<Follows<PrereqEntity>, Content>, verify: TaskKind<Joined<PrereqEntity>, PrereqVerification<Content>>,
        regenerate: TaskKind<EachElement<PrereqRegeneration>, Content>,
        reverify: @escaping @Sendable (Int) -> TaskKind<Joined<PrereqVerification<Content>>, PrereqVerification<Content>>
    ) {
        handlers.register(verify) { _, context in
            let fresh = PrereqVerifyHandler<Content>.fresh(try await context.children(writing), previous: nil)
            return try await PrereqVerifyHandler(level: 0).handle(entity: try await context.output(of: Kind.name), previous: nil, fresh: fresh, context: context)
        }
        for level in 1...Parameters.regenerationLimit {
            handlers.register(reverify(level)) { _, context in
                let previous = level == 1 ? try await context.output(of: verify) : try await context.output(of: reverify(level - 1))
                let fresh = PrereqVerifyHandler<Content>.fresh(try await context.children(regenerate), previous: previous)
                return try await PrereqVerifyHandler(level: level).handle(
                    entity: try await context.output(of: Kind.name), previous: previous, fresh: fresh, context: context)
            }
        }
    }

    public func export(_ context: ExportContext) async throws -> RecipeExportSummary {
        try await PrereqTuneExporter(context: context).run()
    }
}
