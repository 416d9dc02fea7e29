import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryRecipes
import QuarryTestSupport
import Testing

/// The seed fixtures as the recipe reads them: JSON Lines of `{"name"}` (the published files are JSON
/// lists of bare names).
enum PrereqFixtures {
    static func names(_ file: String, count: Int) throws -> [String] {
        let data = try Data(contentsOf: Fixtures.url("prereq/\(file)"))
        return Array(try JSONDecoder().decode([String].self, from: data).prefix(count))
    }

    static func jsonl(_ names: [String]) throws -> String {
        try names.map { String(decoding: try JSONEncoder().encode(["name": $0]), as: UTF8.self) }.joined(separator: "\n") + "\n"
    }

    static func spec(name: String, input: String, parameters: String, seed: Int = 3, extra: String = "") -> String {
        """
        name: \(name)
        recipe: prereq_tune
        input: {path: \(input), fields: {name: name}}
        endpoints: {generator: sim, judge: sim}
        parameters: {\(parameters)}
        seed: \(seed)
        \(extra)
        """
    }

    /// Whether `python3` can import Hugging Face `datasets` here.
    static let datasetsAvailable: Bool = {
        guard let result = try? ChildProcess.run(["python3", "-c", "import datasets"]) else { return false }
        return result.status == 0
    }()

    static func checkWithDatasets(_ folder: URL, versions: Int, strategy: String) throws -> (status: Int32, output: String) {
        let script = TestDatabase.repositoryRoot.appendingPathComponent("scripts/check-prereq-export.py").path
        return try ChildProcess.run(["python3", script, folder.path, "--versions", String(versions), "--strategy", strategy])
    }
}

@Suite("prereq_tune end to end (real PostgreSQL, simulator on loopback)", .serialized)
struct PrereqTuneEndToEndTests {
    typealias Kind = PrereqTuneRecipe.Kind

    /// The deepest completed verification of each record's entity, by position.
    static func verifications(_ tasks: [TaskResultRow]) throws -> [Int: PrereqTuneRecipe.Verification] {
        var deepest: [Int: (level: Int, verification: PrereqTuneRecipe.Verification)] = [:]
        for task in tasks where task.kind == Kind.verify.name || task.kind.hasPrefix("prereq.reverify.") {
            guard let output = task.output, let position = Int(task.key.dropFirst().prefix { $0 != "/" }) else { continue }
            let verification = try decodeJSON(PrereqTuneRecipe.Verification.self, output)
            if verification.level >= deepest[position]?.level ?? -1 { deepest[position] = (verification.level, verification) }
        }
        return deepest.mapValues(\.verification)
    }

    @Test("12 persons, 5 versions: every seed accounted for, K verified versions per kept entity, unique names, knowledge for every task row",
          .timeLimit(.minutes(6)))
    func persons() async throws {
        try await RecipeHarness.with(simulator: { $0.hallucinationRate = 0.1 }) { h in
            let seeds = try PrereqFixtures.names("bio_skill_dev.json", count: 12)
            let input = try h.write("persons.jsonl", try PrereqFixtures.jsonl(seeds))
            let report = try await h.submit(PrereqFixtures.spec(name: "persons", input: input, parameters: "versions: 5"))
            #expect(report.loaded == 12)
            let build = try #require(report.buildID)
            #expect(try await h.run(until: [build]))
            #expect(try await h.queue.build(build)?.state == .completed)
            let tasks = try await h.tasks(build)
            #expect(tasks.allSatisfy { $0.state == .completed }, "dead: \(tasks.filter { $0.state != .completed }.map { "\($0.key) \($0.error ?? "")" })")

            let (folder, manifest) = try await h.export(build, "export")
            #expect(!manifest.partial)
            let entities = try jsonLines(folder.appendingPathComponent("entities.jsonl"), as: PrereqRows.Entity.self)
            #expect(entities.map(\.position) == Array(1...12), "one row per seed, in input order")
            #expect(entities.map(\.seed) == seeds)
            #expect(entities.allSatisfy { $0.kept == $0.reason.isEmpty })
            let kept = entities.filter(\.kept)
            #expect(kept.count >= 6, "most entities survive verification: \(entities.map { "\($0.name): \($0.reason) \($0.versions.map(\.reasons))" })")
            #expect(kept.map(\.subjIndex) == kept.indices.map { Optional($0) })

            // Names: none is a seed's, none repeats.
            let seedKeys = Set(seeds.map(PrereqNames.key))
            let names = entities.filter { !$0.name.isEmpty }.map { PrereqNames.key($0.name) }
            #expect(seedKeys.isDisjoint(with: names))
            #expect(Set(kept.map { PrereqNames.key($0.name) }).count == kept.count)

            // K task rows per kept entity, each version with its knowledge.
            let rows = try jsonLines(folder.appendingPathComponent("skill/train_fake.jsonl"), as: PrereqRows.TrainFake.self)
            #expect(rows.count == kept.count * 5)
            for entity in kept {
                let own = rows.filter { $0.subjIndex == entity.subjIndex }
                #expect(own.map(\.version) == [1, 2, 3, 4, 5])
                #expect(own.allSatisfy { $0.sWikiTitle == entity.name && $0.fake && $0.messages[0].content == "Generate a biography for \(entity.name)." })
            }
            for version in 1...5 {
                let statements = try jsonLines(folder.appendingPathComponent("knowledge/statements_v\(version).jsonl"), as: PrereqRows.Knowledge.self)
                let passages = try jsonLines(folder.appendingPathComponent("knowledge/passages_v\(version).jsonl"), as: PrereqRows.Knowledge.self)
                #expect(passages.count == kept.count)
                for entity in kept {
                    #expect(statements.contains { PrereqNames.names($0.text, entity: entity.name) }, "version \(version) of \(entity.name) has statements")
                }
            }

            // The versions of a kept entity really differ: no two statement sets are equal.
            let verifications = try Self.verifications(tasks)
            for entity in kept {
                let verification = try #require(verifications[entity.position])
                #expect(verification.complete)
                let sets = verification.entries.compactMap { $0.content.map { Set($0.statements) } }
                #expect(sets.count == 5)
                #expect(Set(sets).count == 5, "\(entity.name): two versions state the same facts")
            }

            let summary = try decodeJSON(PrereqReport.self, try String(contentsOf: folder.appendingPathComponent("report.json"), encoding: .utf8))
            #expect(summary.seeds == 12)
            #expect(summary.entities == kept.count)
            #expect(summary.exclusions.values.reduce(0, +) == 12 - kept.count)
            #expect(summary.statementsPerVersion.count == 5)
            let firstPass = try #require(summary.verification.firstPassRate)
            #expect(try #require(summary.verification.finalPassRate) >= firstPass)
            let card = try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
            #expect(card.contains("s_wiki_title"))
            #expect(manifest.files.contains { $0.name == "skill/train_fake.jsonl" && $0.deterministic })

            if PrereqFixtures.datasetsAvailable {
                let checked = try PrereqFixtures.checkWithDatasets(folder, versions: 5, strategy: "top_down")
                #expect(checked.status == 0, "datasets: \(checked.output)")
                #expect(checked.output.contains("\"skill/train_fake.jsonl\": \(rows.count)"))
            } else {
                Issue.record("python3 cannot import datasets (scripts/install-deps.sh installs it): the published-layout check did not run")
            }
        }
    }
}
