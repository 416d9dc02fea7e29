import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryRecipes
import QuarryTestSupport
import Testing

@Suite("personalized_qa end to end over the Sy-SE-PQA sample (real PostgreSQL, simulator on loopback, two generators)", .serialized)
struct PersonalizedQAEndToEndTests {
    typealias Kind = PersonalizedQARecipe.Kind

    /// Two generator endpoints asking for different models (so their answers differ, as two models' do),
    /// and the judge on an endpoint of its own.
    static let endpoints = ["gpt": "sim-large", "phi": "sim-small", "judge": "sim-small"]

    static func spec(name: String = "sepqa", extra: String = "") -> String {
        """
        name: \(name)
        recipe: personalized_qa
        input:
          path: \(Fixtures.url("sepqa/sepqa_sample.jsonl").path)
          fields: {tags: user_tags}
        endpoints: {generator: gpt, judge: judge}
        parameters:
          generators: gpt, phi
        \(extra)
        seed: 11
        """
    }

    /// The fixture's questions as the recipe reads them, by id.
    static func questions() throws -> [String: PersonalizedQAQuestion] {
        let text = try String(contentsOf: Fixtures.url("sepqa/sepqa_sample.jsonl"), encoding: .utf8)
        var questions: [String: PersonalizedQAQuestion] = [:]
        for line in text.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let record = PersonalizedQARecord(
                id: try #require(object["id"] as? String), community: try #require(object["community"] as? String),
                title: try #require(object["title"] as? String), body: try #require(object["body"] as? String),
                tags: try #require(object["user_tags"] as? [String]))
            questions[record.id] = PersonalizedQAQuestion(record)
        }
        return questions
    }

    /// Checks every arm's training files against `answers.jsonl`: each pair is a kept answer of its
    /// question; each negative is a kept answer of the same arm to another question of the same community.
    static func checkTrainingFiles(_ folder: URL, rows: [PersonalizedQAAnswerRow], questions: [String: PersonalizedQAQuestion]) throws -> Int {
        let byAnchor = Dictionary(questions.values.map { ($0.anchor, $0) }, uniquingKeysWith: { first, _ in first })
        var triplets = 0
        for arm in Set(rows.map { PersonalizedQAArm(variant: $0.variant, generator: $0.generator) }) {
            let kept = rows.filter { $0.variant == arm.variant && $0.generator == arm.generator && $0.inTraining }
            let owners = Dictionary(grouping: kept, by: { $0.answer ?? "" })
            let directory = folder.appendingPathComponent("\(arm.variant.rawValue)/\(arm.generator)")
            let pairs = try jsonLines(directory.appendingPathComponent("pairs.jsonl"), as: PersonalizedQATrainingRow.self)
            #expect(pairs.count == kept.count, "\(arm): one pair per kept answer")
            for pair in pairs {
                let question = try #require(byAnchor[pair.anchor], "\(arm): anchor is title + space + body of a question")
                #expect(owners[pair.positive]?.contains { $0.questionID == question.id } == true, "\(arm): the positive answers the anchor's question")
            }
            for triplet in try jsonLines(directory.appendingPathComponent("triplets.jsonl"), as: PersonalizedQATrainingRow.self) {
                triplets += 1
                let question = try #require(byAnchor[triplet.anchor])
                let negative = try #require(triplet.negative)
                let sources = try #require(owners[negative], "\(arm): the negative is a kept answer of the same arm")
                #expect(sources.allSatisfy { $0.questionID != question.id }, "\(arm): never from the same question")
                #expect(sources.allSatisfy { $0.community == question.community }, "\(arm): always from the same community")
                #expect(negative != triplet.positive)
            }
        }
        return triplets
    }

    static func runChecker(_ folder: URL) async throws -> (status: Int32, output: String) {
        let script = TestDatabase.repositoryRoot.appendingPathComponent("scripts/check_training_files.py").path
        let child = try ChildProcess("python3", [script, folder.path])
        defer { unlink(child.outputPath) }
        guard let status = await child.waitForExit(timeout: .seconds(120)) else {
            child.signal(SIGKILL)
            _ = await child.waitForExit(timeout: .seconds(10))
            return (-1, "timed out\n" + child.output)
        }
        return (status, child.output)
    }

    @Test(
        "100 questions x 4 variants x 2 generators: every answer judged and accounted for, files load with datasets in column order, negatives from the community",
        .timeLimit(.minutes(8)))
    func sampleCompletes() async throws {
        try await RecipeHarness.with(simulator: { $0.hallucinationRate = 0.35 }, endpoints: Self.endpoints) { h in
            let submitted = try await h.submit(Self.spec())
            #expect(submitted.loaded == 100)
            #expect(submitted.rejected == 0)
            let build = try #require(submitted.buildID)
            #expect(try await h.run(until: [build], timeout: .seconds(420)))
            #expect(try await h.queue.build(build)?.state == .completed)
            let kinds = try await h.kinds(build)
            #expect(kinds[Kind.answer.name] == 800)
            #expect(kinds[Kind.judge.name] == 800)
            let versions = Set(try await h.tasks(build).compactMap(\.promptVersion))
            #expect(versions == ["answer_basic@v1", "answer_personalized@v1", "answer_personalized_title_only@v1", "answer_contextual@v1", "judge@v1"])

            let (folder, manifest) = try await h.export(build, "export")
            #expect(manifest.partial == false)
            #expect(manifest.models == ["gpt": ["sim-large"], "phi": ["sim-small"], "judge": ["sim-small"]])
            #expect(manifest.usage[Kind.answer.name]?.calls == 800)
            let rows = try jsonLines(folder.appendingPathComponent("answers.jsonl"), as: PersonalizedQAAnswerRow.self)
            let questions = try Self.questions()
            #expect(rows.count == 800)
            let cells = Set(rows.map { "\($0.questionID)|\($0.variant.rawValue)|\($0.generator)" })
            #expect(cells.count == 800, "every question x variant x generator exactly once")
            #expect(Set(rows.map(\.questionID)) == Set(questions.keys))
            #expect(rows.allSatisfy { $0.status == .judged && $0.answer?.isEmpty == false })
            #expect(rows.allSatisfy { $0.endpoint == $0.generator && $0.model == Self.endpoints[$0.generator] })
            #expect(rows.allSatisfy { $0.inTraining == ($0.hallucinated == false) }, "exclude_hallucinated (the default)")
            #expect(rows.filter { $0.hallucinated == true }.allSatisfy { !$0.claims.isEmpty })
            // Off-topic profile use only happens where the generator saw the profile.
            let offTopic = rows.filter { $0.offTopicProfile == true }
            #expect(!offTopic.isEmpty)
            #expect(offTopic.allSatisfy { $0.variant.usesProfile && !$0.offTopicTags.isEmpty })

            let report = try decodeJSON(
                PersonalizedQAReport.self, try String(contentsOf: folder.appendingPathComponent("hallucination_report.json"), encoding: .utf8))
            #expect(report.questions == 100)
            #expect(report.arms.count == 8)
            #expect(report.arms.values.allSatisfy { $0.counts.expected == 100 && $0.counts.judged == 100 && $0.counts.failed == 0 })
            #expect(report.overall.hallucinated == rows.filter { $0.hallucinated == true }.count)
            #expect(report.communities.count == 36)
            #expect(report.communities.values.reduce(0) { $0 + $1.questions } == 100)
            #expect(report.communities["bicycles"]?.counts.expected == 32)
            #expect(report.generators["gpt"]?.judged == 400 && report.variants["contextual"]?.judged == 200)
            for arm in report.arms.values {
                #expect(arm.training.pairs == arm.counts.judged - arm.counts.hallucinated)
                #expect(arm.training.pairs == arm.training.triplets + arm.training.withoutNegative)
                #expect(arm.training.withoutNegative >= 2, "anime and interpersonal have one question each")
            }

            // provenance.jsonl: the task ids behind each line of answers.jsonl, in the same order.
            let provenance = try String(contentsOf: folder.appendingPathComponent("provenance.jsonl"), encoding: .utf8).split(separator: "\n")
            #expect(provenance.count == 800)
            let firstIDs = try #require(try JSONSerialization.jsonObject(with: Data(provenance[0].utf8)) as? [String: Any])
            #expect(firstIDs["question_id"] as? String == rows[0].questionID && firstIDs["build_id"] as? Int == build)
            #expect((firstIDs["task_ids"] as? [String: Int])?.keys.sorted() == ["answer", "judge"])

            let triplets = try Self.checkTrainingFiles(folder, rows: rows, questions: questions)
            #expect(triplets == report.arms.values.reduce(0) { $0 + $1.training.triplets })
            #expect(triplets > 400)

            // As a user loads them: Hugging Face datasets, sentence-transformers' column order.
            let checked = try await Self.runChecker(folder)
            #expect(checked.status == 0, "\(checked.output)")
            #expect(checked.output.contains("ok: 16 files"), "\(checked.output)")
        }
    }

    @Test(
        "35% injected hallucinations: the judge's precision and recall >= 0.9 per variant; every reported rate's 95% interval holds the ground truth",
        .timeLimit(.minutes(8)))
    func hallucinationGroundTruth() async throws {
        try await RecipeHarness.with(
            simulator: {
                $0.hallucinationRate = 0.35
                // An imperfect judge: one verdict in fifty is wrong.
                $0.judgeErrorRate = 0.02
                $0.seed = 5
            }, endpoints: Self.endpoints
        ) { h in
            let build = try #require(try await h.submit(Self.spec(name: "sepqa-truth")).buildID)
            #expect(try await h.run(until: [build], timeout: .seconds(420)))
            let (folder, _) = try await h.export(build, "export")
            let rows = try jsonLines(folder.appendingPathComponent("answers.jsonl"), as: PersonalizedQAAnswerRow.self)
            #expect(rows.count == 800)

            // The oracle agrees with the simulator's own list of completions it served with invented content.
            let truth = rows.map { SimulatorGroundTruth.isHallucinated($0.answer ?? "") }
            #expect(Set(zip(rows, truth).filter(\.1).map { $0.0.answer ?? "" }).count == h.simulator.hallucinatedCompletionIDs.count)

            var confusion: [PersonalizedQAVariant: (tp: Int, fp: Int, fn: Int, tn: Int)] = [:]
            var armTruth: [String: Int] = [:]
            for (row, hallucinated) in zip(rows, truth) {
                var cell = confusion[row.variant] ?? (0, 0, 0, 0)
                let flagged = try #require(row.hallucinated as Bool?, "every judged row says whether it is hallucinated")
                switch (hallucinated, flagged) {
                case (true, true): cell.tp += 1
                case (false, true): cell.fp += 1
                case (true, false): cell.fn += 1
                case (false, false): cell.tn += 1
                }
                confusion[row.variant] = cell
                if hallucinated { armTruth["\(row.variant.rawValue)@\(row.generator)", default: 0] += 1 }
            }
            #expect(confusion.count == 4)
            for (variant, cell) in confusion.sorted(by: { $0.key < $1.key }) {
                let precision = Double(cell.tp) / Double(max(1, cell.tp + cell.fp))
                let recall = Double(cell.tp) / Double(max(1, cell.tp + cell.fn))
                #expect(cell.tp + cell.fn >= 40, "\(variant): about 35% of 200 answers are hallucinated (\(cell))")
                #expect(precision >= 0.9, "\(variant): precision \(precision) \(cell)")
                #expect(recall >= 0.9, "\(variant): recall \(recall) \(cell)")
            }

            let report = try decodeJSON(
                PersonalizedQAReport.self, try String(contentsOf: folder.appendingPathComponent("hallucination_report.json"), encoding: .utf8))
            for (key, arm) in report.arms {
                let truthRate = Double(armTruth[key, default: 0]) / Double(arm.counts.judged)
                let interval = try #require(arm.counts.hallucinationInterval)
                #expect(interval.contains(truthRate), "\(key): ground truth \(truthRate) outside [\(interval.low), \(interval.high)]")
                #expect(interval.high - interval.low < 0.25, "\(key): 100 answers give an interval narrower than 25 points")
            }
        }
    }

    @Test("two builds with the same input and seed export byte-identical files (hard negatives)", .timeLimit(.minutes(8)))
    func deterministicExport() async throws {
        try await RecipeHarness.with(simulator: { $0.hallucinationRate = 0.35 }, endpoints: Self.endpoints) { h in
            // no_cache: the second build asks the endpoints again instead of reading the first one's answers.
            let spec = Self.spec(name: "sepqa-hard", extra: "  hard_negatives: true\nno_cache: true")
            let first = try #require(try await h.submit(spec).buildID)
            let second = try #require(try await h.submit(spec).buildID)
            #expect(try await h.run(until: [first, second], timeout: .seconds(420)))
            let (a, manifestA) = try await h.export(first, "a")
            let (b, manifestB) = try await h.export(second, "b")
            let deterministic = { (manifest: ExportManifest) in manifest.files.filter(\.deterministic).map { "\($0.name) \($0.sha256)" } }
            #expect(deterministic(manifestA) == deterministic(manifestB))
            // answers, 8 arms x 2 training files, the report, rejects
            let expectedFiles = 19
            #expect(deterministic(manifestA).count == expectedFiles)
            #expect(manifestA.usage["total"]?.cacheHits == 0)
            let report = try decodeJSON(
                PersonalizedQAReport.self, try String(contentsOf: a.appendingPathComponent("hallucination_report.json"), encoding: .utf8))
            #expect(report.hardNegatives)
            let rows = try jsonLines(a.appendingPathComponent("answers.jsonl"), as: PersonalizedQAAnswerRow.self)
            #expect(try Self.checkTrainingFiles(a, rows: rows, questions: try Self.questions()) > 400)
            let left = try Data(contentsOf: a.appendingPathComponent("basic/gpt/triplets.jsonl"))
            let right = try Data(contentsOf: b.appendingPathComponent("basic/gpt/triplets.jsonl"))
            #expect(!left.isEmpty && left == right)
        }
    }

    @Test("the example spec shipped with the recipe runs end to end on one simulated endpoint", .timeLimit(.minutes(4)))
    func exampleSpec() async throws {
        try await RecipeHarness.with(simulator: { $0.hallucinationRate = 0.35 }) { h in
            let path = try #require(RecipeExamples.specPath(for: PersonalizedQARecipe()))
            let plan = try BuildSpecParser(file: path, endpoints: h.registry).parseFile()
            let submitted = try await BuildSubmitter(queue: h.queue).submit(plan)
            #expect(submitted.loaded == 12 && submitted.rejected == 0)
            let build = try #require(submitted.buildID)
            #expect(try await h.run(until: [build]))
            #expect(try await h.queue.build(build)?.state == .completed)
            let (folder, _) = try await h.export(build, "export")
            let rows = try jsonLines(folder.appendingPathComponent("answers.jsonl"), as: PersonalizedQAAnswerRow.self)
            #expect(rows.count == 48, "12 questions x 4 variants x the one default generator")
            #expect(Set(rows.map(\.generator)) == ["generator"])
            // The example's tags are in StackExchange's "<a><b>" form; the profile reaches the judge as a list.
            #expect(rows.filter { $0.offTopicProfile == true }.allSatisfy { !$0.offTopicTags.isEmpty && !$0.offTopicTags[0].contains("<") })
            let pairs = try jsonLines(folder.appendingPathComponent("personalized/generator/pairs.jsonl"), as: PersonalizedQATrainingRow.self)
            #expect(!pairs.isEmpty)
            #expect(pairs.allSatisfy { !$0.anchor.contains("<p>") }, "HTML bodies are stripped in anchors")
        }
    }

    @Test("tasks that die (replies cut off at max_tokens) leave every question x variant x generator accounted for", .timeLimit(.minutes(6)))
    func deadTasksAccounted() async throws {
        try await RecipeHarness.with(simulator: { $0.hallucinationRate = 0.35 }, endpoints: Self.endpoints) { h in
            // 24 tokens hold a short answer's JSON but cut longer ones: those replies are invalid JSON, a
            // permanent failure.
            let spec = Self.spec(name: "sepqa-cut", extra: "  variants: basic, personalized\n  max_tokens: 24")
            let build = try #require(try await h.submit(spec).buildID)
            #expect(try await h.run(until: [build], timeout: .seconds(300)))
            let state = try await h.queue.build(build)?.state
            #expect(state == .failed || state == .completedWithErrors, "\(String(describing: state))")
            let (folder, manifest) = try await h.export(build, "export")
            let deadAnswers = manifest.stages[Kind.answer.name]?["dead"] ?? 0
            let deadJudges = manifest.stages[Kind.judge.name]?["dead"] ?? 0
            #expect(deadAnswers > 0)

            let rows = try jsonLines(folder.appendingPathComponent("answers.jsonl"), as: PersonalizedQAAnswerRow.self)
            #expect(rows.count == 400)
            #expect(Set(rows.map { "\($0.questionID)|\($0.variant.rawValue)|\($0.generator)" }).count == 400)
            #expect(rows.allSatisfy { $0.status == .judged || $0.status == .failed })
            #expect(rows.filter { $0.answer == nil }.count == deadAnswers)
            #expect(rows.filter { $0.status == .failed }.count == deadAnswers + deadJudges)
            #expect(rows.filter { $0.status == .failed }.allSatisfy { !$0.inTraining })

            let report = try decodeJSON(
                PersonalizedQAReport.self, try String(contentsOf: folder.appendingPathComponent("hallucination_report.json"), encoding: .utf8))
            #expect(report.arms.count == 4)
            #expect(report.arms.values.allSatisfy { $0.counts.expected == 100 && $0.counts.judged + $0.counts.failed == 100 && $0.counts.pending == 0 })
            #expect(report.overall.failed == deadAnswers + deadJudges)
            #expect(report.overall.answered == 400 - deadAnswers)
            let pairs = report.arms.values.map(\.training.pairs).reduce(0, +)
            #expect(pairs == rows.filter(\.inTraining).count)
        }
    }
}
