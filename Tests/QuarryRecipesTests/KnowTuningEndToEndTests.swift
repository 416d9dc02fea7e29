import Foundation
import QuarryJSON
import QuarryQueue
import QuarryRecipes
import QuarryTestSupport
import Testing

@Suite("KnowTuning end to end over Dolly and MedQuAD (real PostgreSQL, simulator on loopback)", .serialized)
struct KnowTuningEndToEndTests {
    typealias Kinds = KnowTuningRecipe.Kinds

    /// Records without anything to extract: their builds must still account for them.
    static let contentFree = [
        #"{"instruction": "Reply with a single dash.", "input": "", "output": "-"}"#,
        #"{"instruction": "Say nothing at all.", "input": "", "output": "..."}"#,
        #"{"instruction": "Answer with punctuation only.", "input": "", "output": "?!"}"#,
    ]

    /// 20 Dolly and 16 MedQuAD records (the shorter answers), then the three content-free ones.
    static func input() throws -> String {
        func records(_ url: URL, _ count: Int) throws -> [String] {
            let all = try JSONValue.parse(Array(try Data(contentsOf: url))).arrayValue ?? []
            return all.filter { ($0["output"]?.stringValue?.count ?? 0) < 1_500 }.prefix(count).map(\.canonicalString)
        }
        return (try records(Fixtures.dolly, 20) + records(Fixtures.medquad, 16) + contentFree).joined(separator: "\n") + "\n"
    }

    static let recordCount = 39

    static func spec(name: String, extra: String = "") -> String {
        """
        name: \(name)
        recipe: knowtuning
        input: {path: qa.jsonl, format: jsonl}
        endpoints: {generator: sim, scorer: sim, judge: sim}
        parameters: {llama_factory: true\(extra)}
        seed: 5
        no_cache: true
        """
    }

    /// The export's provenance line for a data file's row.
    struct Provenance: Decodable {
        var file: String
        var row: Int
        var taskIDs: [String: Int]

        enum CodingKeys: String, CodingKey {
            case file, row
            case taskIDs = "task_ids"
        }
    }

    @Test(
        "every record is accounted for (those without facts too); every exported pair satisfies its aspect's invariant; exports load with datasets",
        .timeLimit(.minutes(8)))
    func build() async throws {
        try await RecipeHarness.with(simulator: {
            $0.hallucinationRate = 0.2
            $0.seed = 3
        }) { h in
            try h.write("qa.jsonl", try Self.input())
            let submitted = try await h.submit(Self.spec(name: "kt"))
            #expect(submitted.loaded == Self.recordCount && submitted.rejected == 0)
            let build = try #require(submitted.buildID)
            #expect(try await h.run(until: [build]))
            #expect(try await h.queue.build(build)?.state == .completed)

            let tasks = try await h.tasks(build)
            #expect(tasks.allSatisfy { $0.state == .completed }, "no task died: \(tasks.filter { $0.state != .completed }.map { "\($0.key): \($0.error ?? "")" })")
            var byID: [Int: TaskResultRow] = [:]
            for task in tasks { byID[task.taskID] = task }
            let extractions = try tasks.filter { $0.kind == Kinds.extract.name }.map { try #require(try $0.output(as: Kinds.extract)) }
            let selections = try tasks.filter { $0.kind == Kinds.select.name }.map { try #require(try $0.output(as: Kinds.select)) }
            let kinds = try await h.kinds(build)
            let facts = extractions.reduce(0) { $0 + $1.factCount }
            #expect(kinds[Kinds.extract.name] == Self.recordCount)
            #expect(kinds[Kinds.score.name, default: 0] == facts, "one score per fact")
            #expect(kinds[Kinds.select.name] == Self.recordCount, "the join fires for every record, with or without facts")
            #expect(kinds[Kinds.rewrite.name, default: 0] == selections.reduce(0) { $0 + $1.hard.count })
            for aspect in KnowTuningAspect.allCases {
                let eligible = extractions.filter { $0.factCount >= aspect.minimumFacts }.count
                #expect(kinds[Kinds.corrupt(aspect).name, default: 0] == eligible, "\(aspect)")
            }
            #expect(extractions.filter { $0.factCount == 0 }.count == 3, "the three content-free answers have no facts")
            #expect(selections.allSatisfy { $0.failed == 0 })

            let (folder, manifest) = try await h.export(build, "export")
            #expect(manifest.partial == false)
            #expect(Set(manifest.files.map(\.name)).isSuperset(of: ["sft.jsonl", "dpo.jsonl", "report.json", "provenance.jsonl", "llama_factory/ranking.jsonl", "llama_factory/dataset_info.json"]))
            #expect(manifest.models["sim"] == ["sim-small"])
            #expect(manifest.usage[Kinds.score.name]?.calls == facts)

            // The report accounts for every record, in every aspect.
            let report = try decodeJSON(KnowTuningReport.self, try String(contentsOf: folder.appendingPathComponent("report.json"), encoding: .utf8))
            #expect(report.records.loaded == Self.recordCount && report.records.rejected == 0)
            #expect(report.records.withoutFacts == 3)
            #expect(report.records.withFacts + report.records.withoutFacts + report.records.extractionFailed + report.records.pending == report.records.loaded)
            #expect(report.facts.extracted == facts && report.facts.scored == facts)
            let pairs = try jsonLines(folder.appendingPathComponent("dpo.jsonl"), as: KnowTuningDPORow.self)
            for aspect in KnowTuningAspect.allCases {
                let counts = try #require(report.aspects[aspect.rawValue])
                #expect(counts.pairs + counts.excluded.values.reduce(0, +) == Self.recordCount, "\(aspect): every record has a pair or a reason")
                #expect(counts.pairs == pairs.filter { $0.aspect == aspect }.count)
                #expect(counts.excluded[KnowTuningExclusion.tooFewFacts.rawValue, default: 0] == extractions.filter { $0.factCount < aspect.minimumFacts }.count)
            }
            #expect(report.exports.dpo == pairs.count && pairs.count > 0)
            #expect(report.aspects["completeness"]?.pairs ?? 0 > 0 && report.aspects["logicality"]?.pairs ?? 0 > 0 && report.aspects["factuality"]?.pairs ?? 0 > 0)
            let perplexity = try #require(report.perplexity)
            #expect(perplexity.count == facts && perplexity.min <= perplexity.p25 && perplexity.p25 <= perplexity.median)
            #expect(perplexity.median <= perplexity.p75 && perplexity.p75 <= perplexity.max && perplexity.min > 1)

            // Every exported pair satisfies its aspect's invariant, checked here from the tasks themselves.
            let provenance = try jsonLines(folder.appendingPathComponent("provenance.jsonl"), as: Provenance.self).filter { $0.file == "dpo.jsonl" }
            #expect(provenance.count == pairs.count)
            for (pair, origin) in zip(pairs, provenance) {
                let extract = try #require(origin.taskIDs[Kinds.extract.name].flatMap { byID[$0] })
                let original = try #require(try extract.output(as: Kinds.extract)).facts
                let record = try extract.payload(as: Kinds.extract).record
                let corruption = try #require(origin.taskIDs[Kinds.corrupt(pair.aspect).name].flatMap { byID[$0] })
                let negative = try #require(try corruption.output(as: Kinds.corrupt(pair.aspect)))
                let verify = try #require(origin.taskIDs[Kinds.verify.name].flatMap { byID[$0] })
                let verification = try #require(try verify.output(as: Kinds.verify))
                #expect(verification.passed && verification.aspect == pair.aspect)
                #expect(pair.chosen == record.answer && pair.prompt == record.question && pair.rejected == negative.answer)
                #expect(pair.rejected != pair.chosen && !pair.rejected.isEmpty)
                switch pair.aspect {
                case .completeness:
                    #expect(Set(negative.facts).isStrictSubset(of: Set(original)) && negative.facts.count < original.count && !negative.facts.isEmpty)
                case .factuality:
                    let judgements = try #require(verification.judgements)
                    #expect(judgements.count == original.count && judgements.allSatisfy(\.contradicts))
                    #expect(judgements.map(\.original) == original && judgements.map(\.revised) == negative.facts)
                case .logicality:
                    #expect(negative.facts.sorted() == original.sorted() && negative.facts != original)
                    #expect(negative.answer == KnowTuningCorruption.joined(negative.facts))
                }
            }
            let sft = try jsonLines(folder.appendingPathComponent("sft.jsonl"), as: KnowTuningSFTRow.self)
            #expect(sft.count == Self.recordCount + report.facts.rewritten)
            try await KnowTuningExportCheck.expectLoads(folder, llamaFactory: true)
        }
    }

    @Test("exports are byte-identical for the same input and seed; parameters reshape the build", .timeLimit(.minutes(8)))
    func deterministic() async throws {
        try await RecipeHarness.with(simulator: { $0.hallucinationRate = 0.2 }) { h in
            try h.write("qa.jsonl", try Self.input())
            let first = try #require(try await h.submit(Self.spec(name: "kt-a"), file: "a.yaml").buildID)
            let second = try #require(try await h.submit(Self.spec(name: "kt-b"), file: "b.yaml").buildID)
            let all = try #require(
                try await h.submit(Self.spec(name: "kt-all", extra: ", alpha: 1.0, condition_on_question: false"), file: "c.yaml").buildID)
            #expect(try await h.run(until: [first, second, all]))
            let (a, _) = try await h.export(first, "a")
            let (b, _) = try await h.export(second, "b")
            for file in ["sft.jsonl", "dpo.jsonl", "llama_factory/ranking.jsonl", "llama_factory/dataset_info.json"] {
                let left = try Data(contentsOf: a.appendingPathComponent(file))
                let right = try Data(contentsOf: b.appendingPathComponent(file))
                #expect(!left.isEmpty && left == right, "\(file) differs between equal builds")
            }
            var reportA = try decodeJSON(KnowTuningReport.self, try String(contentsOf: a.appendingPathComponent("report.json"), encoding: .utf8))
            let reportB = try decodeJSON(KnowTuningReport.self, try String(contentsOf: b.appendingPathComponent("report.json"), encoding: .utf8))
            reportA.build = reportB.build
            #expect(reportA == reportB)

            // α = 1 keeps every scored fact as hard; unconditioned scores are of the fact alone.
            let tasks = try await h.tasks(all)
            let selections = try tasks.filter { $0.kind == Kinds.select.name }.compactMap { try $0.output(as: Kinds.select) }
            #expect(selections.allSatisfy { $0.hard.count == $0.scored })
            let scores = try tasks.filter { $0.kind == Kinds.score.name }.compactMap { try $0.output(as: Kinds.score) }
            #expect(!scores.isEmpty && scores.allSatisfy { !$0.conditioned && $0.model == "sim-small" })
            let conditioned = try await h.tasks(first).filter { $0.kind == Kinds.score.name }.compactMap { try $0.output(as: Kinds.score) }
            #expect(!conditioned.isEmpty && conditioned.allSatisfy { $0.conditioned })
            #expect(tasks.filter { $0.kind == Kinds.rewrite.name }.count == scores.count)
        }
    }

    @Test("tasks that die (answers cut off at max_tokens) still leave every record accounted for, with its reason", .timeLimit(.minutes(8)))
    func failedTasks() async throws {
        try await RecipeHarness.with { h in
            try h.write("qa.jsonl", try Self.input())
            // 16 tokens hold at most a one-fact list: most extractions are cut off, repaired in vain and die,
            // and so do the corruptions of the few that fit.
            let build = try #require(try await h.submit(Self.spec(name: "kt-cut", extra: ", max_tokens: 16")).buildID)
            #expect(try await h.run(until: [build]))
            let (folder, manifest) = try await h.export(build, "export")
            let deadExtractions = manifest.stages[Kinds.extract.name]?["dead"] ?? 0
            #expect(deadExtractions > Self.recordCount / 2)
            let report = try decodeJSON(KnowTuningReport.self, try String(contentsOf: folder.appendingPathComponent("report.json"), encoding: .utf8))
            #expect(report.records.loaded == Self.recordCount)
            #expect(report.records.extractionFailed == deadExtractions && report.records.withoutFacts == 3)
            #expect(report.records.withFacts + report.records.withoutFacts + report.records.extractionFailed == Self.recordCount)
            for aspect in KnowTuningAspect.allCases {
                let counts = try #require(report.aspects[aspect.rawValue])
                #expect(counts.pairs + counts.excluded.values.reduce(0, +) == Self.recordCount, "\(aspect)")
                #expect(counts.excluded["extraction_failed"] == deadExtractions)
                #expect(counts.excluded["pending", default: 0] == 0)
            }
            #expect(report.exclusions["corruption_failed", default: 0] > 0, "factuality negatives of the one-fact records are cut off too")
            #expect(report.stages[Kinds.select.name]?.completed == Self.recordCount - deadExtractions, "every record whose extraction completed is joined")
            let sft = try jsonLines(folder.appendingPathComponent("sft.jsonl"), as: KnowTuningSFTRow.self)
            #expect(sft.count == Self.recordCount + report.facts.rewritten, "originals are exported whatever happened to their facts")
        }
    }

    @Test("the bundled example spec builds end to end: 25 records, one without facts", .timeLimit(.minutes(8)))
    func example() async throws {
        try await RecipeHarness.with { h in
            let recipe = KnowTuningRecipe()
            let path = TestDatabase.repositoryRoot.appendingPathComponent("Sources/QuarryRecipes/Examples/\(recipe.exampleSpec)").path
            let plan = try BuildSpecParser(file: path, endpoints: h.registry).parseFile()
            let build = try #require(try await BuildSubmitter(queue: h.queue).submit(plan).buildID)
            #expect(try await h.run(until: [build]))
            #expect(try await h.queue.build(build)?.state == .completed)
            let (folder, _) = try await h.export(build, "example")
            let report = try decodeJSON(KnowTuningReport.self, try String(contentsOf: folder.appendingPathComponent("report.json"), encoding: .utf8))
            #expect(report.records.loaded == 25 && report.records.withoutFacts == 1 && report.records.withFacts == 24)
            #expect(report.exports.dpo > 0)
            try await KnowTuningExportCheck.expectLoads(folder, llamaFactory: true)
        }
    }
}
