import QuarryJSON
import QuarryLLM
import QuarryQueue

/// What each KnowTuning task does once its inputs are read from the graph: the endpoint calls and the
/// code around them. Handlers run inside the framework's error mapping (429 → snooze, 5xx → retry, spec
/// problems → dead), so these throw LLM and recipe errors as they are. Returns each output with the prompt version that produced it (nil for code-only
/// work and for scoring, whose text is fixed in `KnowTuningPerplexity`).
struct KnowTuningStages: Sendable {
    typealias Prompt = KnowTuningRecipe.Prompt
    typealias Role = KnowTuningRecipe.Role

    let service: LLMService
    let spec: StoredBuildSpec
    let parameters: KnowTuningRecipe.Parameters
    let buildID: Int
    let kind: String

    // MARK: - Extraction

    struct ExtractedFacts: Decodable, Sendable {
        var facts: [String]
    }

    static let factsFormat = ResponseFormat.jsonSchema(
        name: "atomic_facts",
        schema: [
            "type": "object",
            "properties": ["facts": ["type": "array", "items": ["type": "string"]]],
            "required": ["facts"],
            "additionalProperties": false,
        ],
        strict: true)

    func extract(_ record: KnowTuningRecord) async throws -> (KnowTuningFacts, String?) {
        let prompt = try spec.prompt(Prompt.extractFacts)
        // Nothing to extract: no call, no facts (the record still reaches the report through its selection).
        guard KnowTuningFacts.hasContent(record.answer) else { return (KnowTuningFacts(facts: [], discarded: 0, call: nil), prompt.version) }
        let endpoint = try spec.endpoint(for: Role.generator)
        let request = ChatRequest(
            messages: try prompt.messages(["question": record.question, "answer": record.answer]),
            temperature: parameters.extractionTemperature, seed: spec.seed, maxTokens: parameters.maxTokens, responseFormat: Self.factsFormat)
        let decoded = try await service.chat(request, endpoint: endpoint, build: buildID, kind: kind, decoding: ExtractedFacts.self)
        let (facts, discarded) = KnowTuningFacts.normalised(decoded.output.facts, limit: parameters.maxFacts)
        return (KnowTuningFacts(facts: facts, discarded: discarded, call: LLMCallRecord(decoded.result, endpoint: endpoint, service: service)), prompt.version)
    }

    // MARK: - Scoring

    func score(fact: String, record: KnowTuningRecord) async throws -> KnowTuningScore {
        let endpoint = try spec.endpoint(for: Role.scorer)
        let (text, start) = KnowTuningPerplexity.scoringText(fact: fact, question: parameters.conditionOnQuestion ? record.question : nil)
        let result = try await service.completionLogprobs(prompt: text, endpoint: endpoint, build: buildID, kind: kind)
        guard let scored = KnowTuningPerplexity.score(tokens: result.tokens, logprobs: result.tokenLogprobs, offsets: result.textOffsets, factStart: start)
        else {
            throw TaskError.permanent(
                "unscorable_fact", "the scorer returned no log-prob for any token of the fact \"\(fact.prefix(80))\" (\(result.tokens.count) tokens in all)")
        }
        return KnowTuningScore(
            fact: fact, perplexity: scored.perplexity, meanLogprob: scored.meanLogprob, tokenCount: scored.tokenCount,
            conditioned: parameters.conditionOnQuestion, model: result.model, call: LLMCallRecord(result, endpoint: endpoint, service: service))
    }

    // MARK: - Rewriting

    func rewrite(fact: String, record: KnowTuningRecord) async throws -> (KnowTuningRewrite, String?) {
        let prompt = try spec.prompt(Prompt.rewrite)
        let endpoint = try spec.endpoint(for: Role.generator)
        let request = ChatRequest(
            messages: try prompt.messages(["question": record.question, "answer": record.answer, "fact": fact]),
            temperature: parameters.generationTemperature, seed: spec.seed, maxTokens: parameters.maxTokens, responseFormat: QuestionAnswerPair.format)
        let decoded = try await service.chat(request, endpoint: endpoint, build: buildID, kind: kind, decoding: QuestionAnswerPair.self)
        let question = decoded.output.question.trimmingCharacters(in: .whitespacesAndNewlines)
        let answer = decoded.output.answer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !question.isEmpty, !answer.isEmpty else {
            throw TaskError.permanent("bad_output", "the generator returned an empty \(question.isEmpty ? "question" : "answer") for a rewrite")
        }
        let output = KnowTuningRewrite(fact: fact, question: question, answer: answer, call: LLMCallRecord(decoded.result, endpoint: endpoint, service: service))
        return (output, prompt.version)
    }

    // MARK: - Corruptions

    struct WrittenAnswer: Decodable, Sendable {
        var answer: String
    }

    static let answerFormat = ResponseFormat.jsonSchema(
        name: "answer",
        schema: ["type": "object", "properties": ["answer": ["type": "string"]], "required": ["answer"], "additionalProperties": false],
        strict: true)

    /// Drops a fraction β of the facts in code, then has the generator write an answer from the rest.
    func corruptCompleteness(facts: [String], record: KnowTuningRecord, position: Int) async throws -> (KnowTuningNegative, String?) {
        guard let kept = KnowTuningCorruption.kept(count: facts.count, beta: parameters.beta, seed: spec.seed ?? 0, record: position) else {
            throw TaskError.permanent("too_few_facts", "completeness needs at least 2 facts; the record has \(facts.count)")
        }
        let keptFacts = kept.map { facts[$0] }
        let prompt = try spec.prompt(Prompt.answerFromFacts)
        let endpoint = try spec.endpoint(for: Role.generator)
        let request = ChatRequest(
            messages: try prompt.messages(["question": record.question, "facts": Self.list(keptFacts, numbered: false)], raw: ["facts"]),
            temperature: parameters.generationTemperature, seed: spec.seed, maxTokens: parameters.maxTokens, responseFormat: Self.answerFormat)
        let decoded = try await service.chat(request, endpoint: endpoint, build: buildID, kind: kind, decoding: WrittenAnswer.self)
        let negative = KnowTuningNegative(
            aspect: .completeness, facts: keptFacts, answer: decoded.output.answer.trimmingCharacters(in: .whitespacesAndNewlines), kept: kept,
            call: LLMCallRecord(decoded.result, endpoint: endpoint, service: service))
        return (negative, prompt.version)
    }

    struct Falsified: Decodable, Sendable {
        var revised_facts: [String]
        var answer: String
    }

    static func falsifiedFormat(count: Int) -> ResponseFormat {
        .jsonSchema(
            name: "falsified_facts",
            schema: [
                "type": "object",
                "properties": [
                    "revised_facts": ["type": "array", "items": ["type": "string"], "minItems": .int(count), "maxItems": .int(count)],
                    "answer": ["type": "string"],
                ],
                "required": ["revised_facts", "answer"],
                "additionalProperties": false,
            ],
            strict: true)
    }

    /// Has the generator revise every fact into a plausible falsehood (paired with its original by
    /// position) and answer with them. A wrong number of revisions is kept as it came: verification
    /// excludes it with its reason.
    func corruptFactuality(facts: [String], record: KnowTuningRecord) async throws -> (KnowTuningNegative, String?) {
        let prompt = try spec.prompt(Prompt.falsifyFacts)
        let endpoint = try spec.endpoint(for: Role.generator)
        let request = ChatRequest(
            messages: try prompt.messages(
                ["question": record.question, "facts": Self.list(facts, numbered: true), "count": String(facts.count)], raw: ["facts"]),
            temperature: parameters.generationTemperature, seed: spec.seed, maxTokens: parameters.maxTokens,
            responseFormat: Self.falsifiedFormat(count: facts.count))
        let decoded = try await service.chat(request, endpoint: endpoint, build: buildID, kind: kind, decoding: Falsified.self)
        let revised = decoded.output.revised_facts.map(KnowTuningFacts.collapsed)
        let negative = KnowTuningNegative(
            aspect: .factuality, facts: revised, answer: decoded.output.answer.trimmingCharacters(in: .whitespacesAndNewlines),
            revisions: zip(facts, revised).map { KnowTuningNegative.Revision(original: $0, revised: $1) },
            call: LLMCallRecord(decoded.result, endpoint: endpoint, service: service))
        return (negative, prompt.version)
    }

    /// The facts in a different order, joined as they are (no call).
    func corruptLogicality(facts: [String], position: Int) throws -> KnowTuningNegative {
        guard let order = KnowTuningCorruption.order(count: facts.count, seed: spec.seed ?? 0, record: position) else {
            throw TaskError.permanent("too_few_facts", "logicality needs at least 2 facts; the record has \(facts.count)")
        }
        let reordered = order.map { facts[$0] }
        return KnowTuningNegative(aspect: .logicality, facts: reordered, answer: KnowTuningCorruption.joined(reordered), order: order)
    }

    /// Facts as prompt lines, each stripped of delimiter tags (they are inserted raw).
    static func list(_ facts: [String], numbered: Bool) -> String {
        facts.enumerated().map { index, fact in
            (numbered ? "\(index + 1). " : "- ") + PromptTemplate.sanitised(fact)
        }.joined(separator: "\n")
    }

    // MARK: - Verification

    struct ContradictionAnswer: Decodable, Sendable {
        var contradicts: Bool
        var reason: String?
    }

    static let contradictionFormat = ResponseFormat.jsonSchema(
        name: "contradiction",
        schema: [
            "type": "object",
            "properties": ["contradicts": ["type": "boolean"], "reason": ["type": "string"]],
            "required": ["contradicts", "reason"],
            "additionalProperties": false,
        ],
        strict: true)

    /// Checks `negative` against the record's original facts: code for completeness and logicality, the
    /// judge (once per revised statement) for factuality.
    func verify(_ negative: KnowTuningNegative, original: [String], record: KnowTuningRecord) async throws -> (KnowTuningVerification, String?) {
        if let refused = KnowTuningChecks.answer(negative, chosen: record.answer) { return (refused, nil) }
        switch negative.aspect {
        case .completeness:
            return (KnowTuningChecks.completeness(negative: negative.facts, original: original), nil)
        case .logicality:
            return (KnowTuningChecks.logicality(negative: negative.facts, original: original), nil)
        case .factuality:
            let revisions = negative.revisions ?? []
            guard revisions.count == original.count else {
                return (KnowTuningChecks.factuality(revisions: revisions, original: original, judgements: []), nil)
            }
            let prompt = try spec.prompt(Prompt.judgeContradiction)
            let endpoint = try spec.endpoint(for: Role.judge)
            // Every judge call runs to its end even when one fails, so the retry finds the others' answers cached.
            let judgements = try await ConcurrentCalls.all(
                try revisions.map { revision in
                    let request = ChatRequest(
                        messages: try prompt.messages(["original": revision.original, "revised": revision.revised]),
                        temperature: parameters.judgeTemperature, seed: spec.seed, maxTokens: parameters.maxTokens,
                        responseFormat: Self.contradictionFormat)
                    return { @Sendable in
                        let decoded = try await service.chat(request, endpoint: endpoint, build: buildID, kind: kind, decoding: ContradictionAnswer.self)
                        return KnowTuningVerification.Judgement(
                            original: revision.original, revised: revision.revised, contradicts: decoded.output.contradicts,
                            reason: decoded.output.reason, call: LLMCallRecord(decoded.result, endpoint: endpoint, service: service))
                    }
                })
            return (KnowTuningChecks.factuality(revisions: revisions, original: original, judgements: judgements), prompt.version)
        }
    }
}
