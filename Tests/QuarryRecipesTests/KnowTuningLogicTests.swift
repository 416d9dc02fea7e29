import Foundation
import QuarryJSON
import QuarryRecipes
import Testing

@Suite("KnowTuning pure logic")
struct KnowTuningLogicTests {
    typealias Stage = KnowTuningRecordOutcome.Stage

    static let call = LLMCallRecord(endpoint: "sim", model: "sim-small", promptTokens: 10, completionTokens: 5, cached: false, costUSD: 0)

    // MARK: - Facts

    @Test("facts are trimmed, list markers dropped, whitespace-collapsed, deduplicated (case and final period ignored), empties dropped, capped")
    func normalisation() {
        let raw = ["  Paris is the capital of France. ", "", "paris is the capital of   France", "   ", "The Seine\nflows through Paris.", "A third fact."]
        let (facts, discarded) = KnowTuningFacts.normalised(raw, limit: 32)
        #expect(facts == ["Paris is the capital of France.", "The Seine flows through Paris.", "A third fact."])
        #expect(discarded == 3)
        let capped = KnowTuningFacts.normalised(raw, limit: 2)
        #expect(capped.facts == ["Paris is the capital of France.", "The Seine flows through Paris."])
        #expect(capped.discarded == 4)
        #expect(KnowTuningFacts.normalised([], limit: 5).facts.isEmpty)
        let listed = KnowTuningFacts.normalised(["1. Paris is in France.", "- Lyon is in France.", "2) Nice is in France.", "• Metz is too."], limit: 32)
        #expect(listed.facts == ["Paris is in France.", "Lyon is in France.", "Nice is in France.", "Metz is too."])
        let numbers = KnowTuningFacts.normalised(["2.5 million people live there.", "1990 was a good year.", "-5 is negative."], limit: 32)
        #expect(numbers.facts == ["2.5 million people live there.", "1990 was a good year.", "-5 is negative."], "numbers in the statement stay")
        let output = KnowTuningFacts(facts: facts, discarded: discarded, call: nil)
        #expect(output.factCount == 3)
    }

    @Test("an answer has content when it has a letter or a digit")
    func content() {
        #expect(!KnowTuningFacts.hasContent(""))
        #expect(!KnowTuningFacts.hasContent(" - ... \n"))
        #expect(KnowTuningFacts.hasContent("42"))
        #expect(KnowTuningFacts.hasContent("Köln"))
    }

    @Test("the facts output encodes fact_count for graph predicates")
    func factsEncoding() throws {
        let data = try JSONEncoder().encode(KnowTuningFacts(facts: ["a b c"], discarded: 0, call: nil))
        let json = try JSONValue.parse(Array(data))
        #expect(json["fact_count"]?.intValue == 1)
        #expect(json["facts"]?.arrayValue?.count == 1)
    }

    // MARK: - Corruptions

    @Test("completeness drops round(β·n) facts, at least one and never all; deterministic per seed and record")
    func completenessDrop() throws {
        for count in 2...12 {
            for beta in [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0] {
                for record in 0..<5 {
                    let kept = try #require(KnowTuningCorruption.kept(count: count, beta: beta, seed: 7, record: record))
                    let expectedDropped = min(max(Int((beta * Double(count)).rounded()), 1), count - 1)
                    #expect(count - kept.count == expectedDropped)
                    #expect(!kept.isEmpty && kept.count < count)
                    #expect(kept == kept.sorted() && Set(kept).count == kept.count && kept.allSatisfy { (0..<count).contains($0) })
                    #expect(kept == KnowTuningCorruption.kept(count: count, beta: beta, seed: 7, record: record))
                }
            }
        }
        #expect(KnowTuningCorruption.kept(count: 1, beta: 0.5, seed: 7, record: 0) == nil)
        #expect(KnowTuningCorruption.kept(count: 0, beta: 0.5, seed: 7, record: 0) == nil)
        // Which facts go depends on the record and the seed, not only on the count.
        let choices = Set((0..<20).compactMap { KnowTuningCorruption.kept(count: 6, beta: 0.5, seed: 7, record: $0) })
        #expect(choices.count > 5)
        let seeds = Set((0..<20).compactMap { KnowTuningCorruption.kept(count: 6, beta: 0.5, seed: $0, record: 3) })
        #expect(seeds.count > 5)
    }

    @Test("the logicality order is a permutation other than the original order; deterministic")
    func logicalityOrder() throws {
        for count in 2...10 {
            for record in 0..<30 {
                let order = try #require(KnowTuningCorruption.order(count: count, seed: 3, record: record))
                #expect(order.sorted() == Array(0..<count))
                #expect(order != Array(0..<count))
                #expect(order == KnowTuningCorruption.order(count: count, seed: 3, record: record))
            }
        }
        #expect(KnowTuningCorruption.order(count: 2, seed: 1, record: 1) == [1, 0])
        #expect(KnowTuningCorruption.order(count: 1, seed: 1, record: 1) == nil)
        #expect(Set((0..<20).compactMap { KnowTuningCorruption.order(count: 5, seed: 1, record: $0) }).count > 5)
    }

    @Test("the logicality answer joins the facts as they are, ending each with a period")
    func joined() {
        #expect(KnowTuningCorruption.joined(["B is 2", "A is 1.", " C? "]) == "B is 2. A is 1. C?")
    }

    // MARK: - Verification checks

    @Test("completeness passes only for a non-empty strict subset of the original facts")
    func completenessCheck() {
        let original = ["A is 1.", "B is 2.", "C is 3."]
        #expect(KnowTuningChecks.completeness(negative: ["A is 1.", "C is 3"], original: original).passed)
        #expect(KnowTuningChecks.completeness(negative: ["a IS 1."], original: original).passed)
        let all = KnowTuningChecks.completeness(negative: original, original: original)
        #expect(!all.passed && all.reason == .notStrictSubset)
        let none = KnowTuningChecks.completeness(negative: [], original: original)
        #expect(!none.passed && none.reason == .notStrictSubset)
        let foreign = KnowTuningChecks.completeness(negative: ["A is 1.", "D is 4."], original: original)
        #expect(!foreign.passed && foreign.reason == .notStrictSubset && foreign.detail?.contains("D is 4.") == true)
        let repeated = KnowTuningChecks.completeness(negative: ["A is 1.", "A is 1."], original: original)
        #expect(!repeated.passed, "a fact kept twice is not a subset")
    }

    @Test("logicality passes only for the same facts in another order")
    func logicalityCheck() {
        let original = ["A is 1.", "B is 2.", "C is 3."]
        #expect(KnowTuningChecks.logicality(negative: ["C is 3.", "A is 1.", "B is 2."], original: original).passed)
        let same = KnowTuningChecks.logicality(negative: original, original: original)
        #expect(!same.passed && same.reason == .sameOrder)
        let missing = KnowTuningChecks.logicality(negative: ["C is 3.", "A is 1."], original: original)
        #expect(!missing.passed && missing.reason == .notPermutation)
        let changed = KnowTuningChecks.logicality(negative: ["C is 3.", "A is 1.", "B is 5."], original: original)
        #expect(!changed.passed && changed.reason == .notPermutation)
        // The code corruption always passes its own check.
        for record in 0..<20 {
            let facts = (1...5).map { "Fact \($0) holds." }
            let order = KnowTuningCorruption.order(count: facts.count, seed: 9, record: record) ?? []
            #expect(KnowTuningChecks.logicality(negative: order.map { facts[$0] }, original: facts).passed)
            let kept = KnowTuningCorruption.kept(count: facts.count, beta: 0.5, seed: 9, record: record) ?? []
            #expect(KnowTuningChecks.completeness(negative: kept.map { facts[$0] }, original: facts).passed)
        }
    }

    @Test("factuality passes only when every revised statement contradicts its original")
    func factualityCheck() {
        let original = ["A is 1.", "B is 2."]
        let revisions = [KnowTuningNegative.Revision(original: "A is 1.", revised: "A is 7."), .init(original: "B is 2.", revised: "B is 2.")]
        func judgement(_ index: Int, _ contradicts: Bool) -> KnowTuningVerification.Judgement {
            .init(original: revisions[index].original, revised: revisions[index].revised, contradicts: contradicts, reason: nil, call: Self.call)
        }
        #expect(KnowTuningChecks.factuality(revisions: revisions, original: original, judgements: [judgement(0, true), judgement(1, true)]).passed)
        let one = KnowTuningChecks.factuality(revisions: revisions, original: original, judgements: [judgement(0, true), judgement(1, false)])
        #expect(!one.passed && one.reason == .notContradicting && one.detail?.contains("2 of 2") == true)
        #expect(one.judgements?.count == 2)
        let short = KnowTuningChecks.factuality(revisions: Array(revisions.prefix(1)), original: original, judgements: [judgement(0, true)])
        #expect(!short.passed && short.reason == .revisionCountMismatch)
    }

    @Test("a negative with no answer, or with the chosen answer, is refused in every aspect")
    func answerCheck() {
        let empty = KnowTuningNegative(aspect: .completeness, facts: ["A."], answer: "  ")
        #expect(KnowTuningChecks.answer(empty, chosen: "A. B.")?.reason == .emptyAnswer)
        let same = KnowTuningNegative(aspect: .logicality, facts: ["A."], answer: "A.  B.")
        #expect(KnowTuningChecks.answer(same, chosen: "A. B.")?.reason == .sameAsChosen)
        #expect(KnowTuningChecks.answer(KnowTuningNegative(aspect: .factuality, facts: [], answer: "C."), chosen: "A. B.") == nil)
    }

    // MARK: - Perplexity

    @Test("perplexity is exp(-mean logprob) over the fact's tokens only, with or without text offsets")
    func perplexity() throws {
        let (text, start) = KnowTuningPerplexity.scoringText(fact: "Paris is big", question: "Where?")
        #expect(text == "Question: Where?\nAnswer: Paris is big")
        #expect(start == "Question: Where?\nAnswer:".unicodeScalars.count)
        let tokens = ["Question", ":", " Where", "?\n", "Answer", ":", " Paris", " is", " big"]
        let logprobs: [Double?] = [nil, -1, -2, -3, -4, -5, -0.5, -1.0, -1.5]
        let scored = try #require(KnowTuningPerplexity.score(tokens: tokens, logprobs: logprobs, offsets: nil, factStart: start))
        #expect(scored.tokenCount == 3)
        #expect(abs(scored.meanLogprob - -1.0) < 1e-12)
        #expect(abs(scored.perplexity - exp(1.0)) < 1e-12)
        // The endpoint's offsets win when they are consistent with the tokens.
        var offsets: [Int] = []
        var position = 0
        for token in tokens {
            offsets.append(position)
            position += token.unicodeScalars.count
        }
        #expect(KnowTuningPerplexity.score(tokens: tokens, logprobs: logprobs, offsets: offsets, factStart: start) == scored)
        // A token that spans the boundary counts (it covers part of the fact).
        let merged = ["Question: Where?\nAnswer", ": Paris", " is"]
        let spanning = try #require(KnowTuningPerplexity.score(tokens: merged, logprobs: [nil, -2, -4], offsets: nil, factStart: start))
        #expect(spanning.tokenCount == 2 && abs(spanning.meanLogprob - -3) < 1e-12)
        // Unconditioned: the fact alone; its first token has no log-prob.
        let alone = KnowTuningPerplexity.scoringText(fact: "Paris is big", question: nil)
        #expect(alone.text == "Paris is big" && alone.factStart == 0)
        let unconditioned = try #require(
            KnowTuningPerplexity.score(tokens: ["Paris", " is", " big"], logprobs: [nil, -1, -3], offsets: nil, factStart: 0))
        #expect(unconditioned.tokenCount == 2 && abs(unconditioned.perplexity - exp(2.0)) < 1e-12)
        #expect(KnowTuningPerplexity.score(tokens: ["Paris"], logprobs: [nil], offsets: nil, factStart: 0) == nil)
    }

    // MARK: - Selection

    @Test("TopFraction keeps ceil(α·n) largest values, ties to the lower index, in original order")
    func topFraction() {
        let values = [3.0, 9.0, 1.0, 9.0, 5.0]
        #expect(TopFraction.select(values, fraction: 0.5, by: { $0 }) == [9, 9, 5])
        #expect(TopFraction.select(Array(values.enumerated()), fraction: 0.2, by: { $0.element }).map(\.offset) == [1])
        #expect(TopFraction.select(Array(values.enumerated()), fraction: 0.4, by: { $0.element }).map(\.offset) == [1, 3])
        #expect(TopFraction.select(values, fraction: 0, by: { $0 }).isEmpty)
        #expect(TopFraction.select(values, fraction: 1, by: { $0 }) == values)
        #expect(TopFraction.select([Double](), fraction: 0.5, by: { $0 }).isEmpty)
        #expect(TopFraction.select([1.0], fraction: 0.01, by: { $0 }) == [1], "ceil: any α > 0 keeps at least one")
        // 0.3 × 10 and 0.7 × 10 are not whole numbers in binary; they still keep 3 and 7.
        let ten = (1...10).map(Double.init)
        #expect(TopFraction.select(ten, fraction: 0.3, by: { $0 }) == [8, 9, 10])
        #expect(TopFraction.select(ten, fraction: 0.7, by: { $0 }).count == 7)
        #expect(TopFraction.select(ten, fraction: 0.31, by: { $0 }).count == 4)
        #expect(TopFraction.select([Double.nan, 2, 1], fraction: 0.5, by: { $0 }) == [2, 1], "NaN ranks last")
    }

    @Test("selection keeps the hardest α of the scored facts with their indices, counting failures")
    func selection() {
        func score(_ fact: String, _ perplexity: Double) -> KnowTuningScore {
            KnowTuningScore(fact: fact, perplexity: perplexity, meanLogprob: -log(perplexity), tokenCount: 3, conditioned: true, model: "m", call: Self.call)
        }
        let scores = [(index: 1, score: score("a", 2)), (index: 2, score: score("b", 8)), (index: 4, score: score("d", 5))]
        let selection = KnowTuningSelection.select(scores, failed: 1, alpha: 0.5)
        #expect(selection.hard == [.init(fact: "b", perplexity: 8, index: 2), .init(fact: "d", perplexity: 5, index: 4)])
        #expect(selection.scored == 3 && selection.failed == 1)
        let none = KnowTuningSelection.select([], failed: 0, alpha: 0.5)
        #expect(none.hard.isEmpty && none.scored == 0)
    }

    // MARK: - Report and rows

    @Test("quartiles interpolate linearly between ranks (numpy's default)")
    func distribution() throws {
        let quartiles = try #require(KnowTuningReport.Distribution([4, 1, 3, 2]))
        #expect(quartiles.count == 4 && quartiles.min == 1 && quartiles.max == 4)
        #expect(quartiles.p25 == 1.75 && quartiles.median == 2.5 && quartiles.p75 == 3.25)
        let single = try #require(KnowTuningReport.Distribution([7]))
        #expect(single.p25 == 7 && single.median == 7 && single.p75 == 7)
        #expect(KnowTuningReport.Distribution([]) == nil)
    }

    static let record = KnowTuningRecord(instruction: "What is A?", input: "", output: "A is 1. B is 2. C is 3.")

    static func finished(_ verification: KnowTuningVerification, aspect: KnowTuningAspect, answer: String = "A negative.")
        -> KnowTuningRecordOutcome.Corruption
    {
        .init(negative: .completed(KnowTuningNegative(aspect: aspect, facts: [], answer: answer)), verification: .completed(verification))
    }

    @Test("every record has exactly one result per aspect; rows come from passed verifications and finished rewrites")
    func outcomes() {
        let noFacts = KnowTuningRecordOutcome(
            record: Self.record, extraction: .completed(KnowTuningFacts(facts: [], discarded: 0, call: nil)),
            selection: .completed(KnowTuningSelection(hard: [], scored: 0, failed: 0)))
        for aspect in KnowTuningAspect.allCases { #expect(noFacts.result(for: aspect) == .excluded(.tooFewFacts)) }
        #expect(noFacts.sftRows == [KnowTuningSFTRow(user: "What is A?", assistant: "A is 1. B is 2. C is 3.")])
        #expect(noFacts.dpoRows.isEmpty)

        let oneFact = KnowTuningRecordOutcome(record: Self.record, extraction: .completed(KnowTuningFacts(facts: ["A is 1."], discarded: 0, call: nil)))
        #expect(oneFact.result(for: .completeness) == .excluded(.tooFewFacts))
        #expect(oneFact.result(for: .factuality) == .excluded(.pending), "one fact can be falsified; its corruption is not there yet")

        let facts = KnowTuningFacts(facts: ["A is 1.", "B is 2.", "C is 3."], discarded: 0, call: nil)
        let full = KnowTuningRecordOutcome(
            record: Self.record, extraction: .completed(facts), scores: [.completed(KnowTuningScore(fact: "A is 1.", perplexity: 3, meanLogprob: -1, tokenCount: 3, conditioned: true, model: "m", call: Self.call)), .failed, .pending],
            selection: .completed(KnowTuningSelection(hard: [.init(fact: "A is 1.", perplexity: 3, index: 1)], scored: 1, failed: 1)),
            rewrites: [.completed(KnowTuningRewrite(fact: "A is 1.", question: "What is A equal to?", answer: "A is 1.", call: Self.call))],
            corruptions: [
                .completeness: Self.finished(.pass(.completeness), aspect: .completeness, answer: "A is 1."),
                .factuality: Self.finished(.fail(.factuality, .notContradicting, "no"), aspect: .factuality),
                .logicality: .init(negative: .failed, verification: nil),
            ])
        #expect(full.result(for: .completeness) == .pair(KnowTuningDPORow(prompt: "What is A?", chosen: "A is 1. B is 2. C is 3.", rejected: "A is 1.", aspect: .completeness)))
        #expect(full.result(for: .factuality) == .excluded(.notContradicting))
        #expect(full.result(for: .logicality) == .excluded(.corruptionFailed))
        #expect(full.dpoRows.map(\.aspect) == [.completeness])
        #expect(full.sftRows.count == 2 && full.sftRows[1].messages.map(\.content) == ["What is A equal to?", "A is 1."])

        let failed = KnowTuningRecordOutcome(record: Self.record, extraction: .failed)
        #expect(KnowTuningAspect.allCases.allSatisfy { failed.result(for: $0) == .excluded(.extractionFailed) })

        var tally = KnowTuningReport.Tally(build: "b")
        for outcome in [noFacts, oneFact, full, failed] { tally.add(outcome) }
        let report = tally.finished()
        #expect(report.records.loaded == 4)
        #expect(report.records.withFacts == 2 && report.records.withoutFacts == 1 && report.records.extractionFailed == 1 && report.records.pending == 0)
        for aspect in KnowTuningAspect.allCases {
            let counts = report.aspects[aspect.rawValue] ?? KnowTuningReport.Aspect()
            #expect(counts.pairs + counts.excluded.values.reduce(0, +) == report.records.loaded, "\(aspect): every record accounted for")
        }
        #expect(report.aspects["completeness"]?.pairs == 1 && report.aspects["completeness"]?.eligible == 1)
        #expect(report.aspects["factuality"]?.excluded == ["not_contradicting": 1, "too_few_facts": 1, "pending": 1, "extraction_failed": 1])
        #expect(report.exclusions["too_few_facts"] == 5, "the record without facts in three aspects, the one-fact record in two")
        #expect(report.facts.extracted == 4 && report.facts.scored == 1 && report.facts.scoreFailed == 1 && report.facts.hard == 1 && report.facts.rewritten == 1)
        let scores = report.stages["knowtuning.score"]
        #expect(scores?.completed == 1 && scores?.failed == 1 && scores?.pending == 1)
        #expect(report.stages["knowtuning.extract"]?.failed == 1)
        #expect(report.perplexity?.median == 3 && report.hardPerplexity?.count == 1)
        #expect(report.exports.sft == 5 && report.exports.sftOriginal == 4 && report.exports.sftRewritten == 1 && report.exports.dpo == 1)
    }

    // MARK: - Formats

    @Test("dpo rows have exactly prompt, chosen, rejected and aspect; ranking rows are [chosen, rejected]")
    func rowFormats() throws {
        let row = KnowTuningDPORow(prompt: "Q?", chosen: "A.", rejected: "B.", aspect: .factuality)
        let encoder = ExportFileWriter.encoder()
        let json = try JSONValue.parse(Array(try encoder.encode(row)))
        #expect(Set(json.objectValue?.keys.map { $0 } ?? []) == ["prompt", "chosen", "rejected", "aspect"])
        #expect(json["aspect"]?.stringValue == "factuality")
        let ranking = try JSONValue.parse(Array(try encoder.encode(LlamaFactoryRankingRow(row))))
        #expect(ranking == ["instruction": "Q?", "input": "", "output": ["A.", "B."]])
        let info = try JSONValue.parse(Array(try encoder.encode(LlamaFactoryRankingRow.datasetInfo(name: "kt", file: "ranking.jsonl"))))
        #expect(info["kt"]?["ranking"]?.boolValue == true && info["kt"]?["file_name"]?.stringValue == "ranking.jsonl")
        #expect(info["kt"]?["columns"] == ["prompt": "instruction", "query": "input", "response": "output"])
        let sft = try JSONValue.parse(Array(try encoder.encode(KnowTuningSFTRow(user: "Q?", assistant: "A."))))
        #expect(sft == ["messages": [["role": "user", "content": "Q?"], ["role": "assistant", "content": "A."]]])
    }

    @Test("the question is the instruction, then the input after a blank line when there is one")
    func question() {
        #expect(KnowTuningRecord(instruction: " Q? ", input: "", output: "A").question == "Q?")
        #expect(KnowTuningRecord(instruction: "Q?", input: " context ", output: "A").question == "Q?\n\ncontext")
        #expect(KnowTuningRecord(instruction: "Q?", input: nil, output: " A \n").answer == "A")
    }

    // MARK: - Recipe declarations

    @Test("typed parameters decode from the declared defaults and from overrides")
    func parameters() throws {
        let recipe = KnowTuningRecipe()
        let defaults = RecipeParameters(definitions: recipe.parameters)
        let decoded = try defaults.decode(KnowTuningRecipe.Parameters.self)
        #expect(decoded.alpha == 0.5 && decoded.beta == 0.5 && decoded.conditionOnQuestion && !decoded.llamaFactory && decoded.maxFacts == 32)
        let overridden = RecipeParameters(definitions: recipe.parameters, overrides: ["alpha": 0.25, "condition_on_question": false])
        let typed = try overridden.decode(KnowTuningRecipe.Parameters.self)
        #expect(typed.alpha == 0.25 && !typed.conditionOnQuestion)
        // Every declared parameter is a field of the typed struct and back.
        let keys = Set(try JSONValue.parse(Array(try JSONEncoder().encode(decoded))).objectValue?.keys.map { $0 } ?? [])
        #expect(keys == Set(recipe.parameters.map(\.name)))
        #expect(recipe.parameters.first { $0.name == "beta" }?.problem(with: 1.5) != nil)
    }

    @Test("every prompt the recipe renders is bundled and valid against what the recipe supplies and requires")
    func prompts() throws {
        let recipe = KnowTuningRecipe()
        for prompt in recipe.prompts {
            let template = try PromptLibrary.bundled(recipe: recipe.name, name: prompt.name)
            #expect(template.version == "\(prompt.name)@v1")
            #expect(throws: Never.self) { try template.validate(supplied: prompt.supplies, required: prompt.requires) }
        }
    }
}
