import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryRecipes
import QuarryTestSupport
import Testing

/// The seed fixtures (JSON lists of bare names, as published), cut to a few, written as they are or as
/// JSON Lines of `{"name"}`.
enum PrereqFixtures {
    static func names(_ file: String, count: Int) throws -> [String] {
        let data = try Data(contentsOf: Fixtures.url("prereq/\(file)"))
        return Array(try JSONDecoder().decode([String].self, from: data).prefix(count))
    }

    /// A JSON list of bare names, the published format.
    static func list(_ names: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(names), as: UTF8.self)
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

    /// Runs `scripts/check_prereq_export.py` (Hugging Face `datasets`) over an export folder and expects it
    /// to pass; returns its output. The script exits 2 naming the package when `datasets` is missing
    /// (scripts/install-deps.sh installs it), which fails here with that message.
    @discardableResult
    static func expectLoads(_ folder: URL, versions: Int, strategy: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let script = TestDatabase.repositoryRoot.appendingPathComponent("scripts/check_prereq_export.py").path
        let result = try await ChildProcess.complete(
            ["python3", script, folder.path, "--versions", String(versions), "--strategy", strategy], timeout: .seconds(300))
        #expect(result.status == 0, "check_prereq_export.py failed:\n\(result.output)", sourceLocation: sourceLocation)
        return result.output
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
            let input = try h.write("persons.json", try PrereqFixtures.list(seeds))
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

            let loaded = try await PrereqFixtures.expectLoads(folder, versions: 5, strategy: "top_down")
            #expect(loaded.contains("\"skill/train_fake.jsonl\": \(rows.count)"))
        }
    }

    @Test("12 medical entities, short QA (bottom_up): every seed accounted for; kept entities have K answers that differ, each in its version's statement",
          .timeLimit(.minutes(6)))
    func medicalShortQA() async throws {
        try await RecipeHarness.with(simulator: { $0.hallucinationRate = 0.1 }) { h in
            let seeds = try PrereqFixtures.names("medical_skill_dev.json", count: 12)
            let input = try h.write("medical.jsonl", try PrereqFixtures.jsonl(seeds))
            let build = try #require(
                try await h.submit(PrereqFixtures.spec(name: "medical-qa", input: input, parameters: "versions: 3, domain: medical, strategy: bottom_up")).buildID)
            #expect(try await h.run(until: [build]))
            #expect(try await h.queue.build(build)?.state == .completed)
            let kinds = try await h.kinds(build)
            #expect(kinds[Kind.biography.name] == nil && kinds[Kind.passage.name] == nil, "short QA writes no biographies or passages")
            #expect(kinds[Kind.entity.name] == 12)

            let (folder, _) = try await h.export(build, "export")
            let entities = try jsonLines(folder.appendingPathComponent("entities.jsonl"), as: PrereqRows.Entity.self)
            #expect(entities.map(\.position) == Array(1...12))
            #expect(entities.allSatisfy { $0.kept || !$0.reason.isEmpty })
            let kept = entities.filter(\.kept)
            #expect(kept.count >= 6, "most entities survive verification: \(entities.map { "\($0.name): \($0.reason) \($0.versions.map(\.reasons))" })")
            let seedKeys = Set(seeds.map(PrereqNames.key))
            #expect(seedKeys.isDisjoint(with: entities.map { PrereqNames.key($0.name) }))
            #expect(Set(kept.map { PrereqNames.key($0.name) }).count == kept.count)
            var answers: [[String]] = Array(repeating: [], count: kept.count)
            for version in 1...3 {
                let rows = try jsonLines(folder.appendingPathComponent("skill/train_fake_v\(version).jsonl"), as: PrereqRows.ShortQA.self)
                let statements = try jsonLines(folder.appendingPathComponent("knowledge/statements_v\(version).jsonl"), as: PrereqRows.Knowledge.self)
                #expect(rows.count == kept.count)
                #expect(statements.count == kept.count)
                for (index, (row, statement)) in zip(rows, statements).enumerated() {
                    #expect(row.fake)
                    #expect(row.messages.map(\.role) == ["user", "assistant"])
                    #expect(row.possibleAnswers.first == row.messages[1].content)
                    #expect(PrereqCheck.supports(statement.text, row.messages[1].content, minimum: 1), "the answer is in its version's statement")
                    #expect(row.messages[0].content.contains(kept[index].name))
                    answers[index].append(PrereqNames.key(row.messages[1].content))
                }
            }
            #expect(answers.allSatisfy { Set($0).count == 3 }, "the versions of an entity give different answers: \(answers)")
            let summary = try decodeJSON(PrereqReport.self, try String(contentsOf: folder.appendingPathComponent("report.json"), encoding: .utf8))
            #expect(summary.entities + summary.exclusions.values.reduce(0, +) == 12)
            #expect(summary.strategy == "bottom_up")
            try await PrereqFixtures.expectLoads(folder, versions: 3, strategy: "bottom_up")
        }
    }

    @Test("versions 5 vs 3 and max_regenerations 2 vs 0 in the spec change each build's stored graph and task counts, without code changes",
          .timeLimit(.minutes(4)))
    func parametersShapeTheGraph() async throws {
        try await RecipeHarness.with { h in
            let input = try h.write("persons.jsonl", try PrereqFixtures.jsonl(try PrereqFixtures.names("bio_skill_dev.json", count: 4)))
            let five = try #require(try await h.submit(PrereqFixtures.spec(name: "five", input: input, parameters: "versions: 5")).buildID)
            let three = try #require(
                try await h.submit(PrereqFixtures.spec(name: "three", input: input, parameters: "versions: 3, max_regenerations: 0")).buildID)
            func graph(_ build: Int) async throws -> BuildGraph {
                try BuildGraph.decode(try await h.pool.query("SELECT graph::text AS g FROM \(identifier: h.schema).builds WHERE id = \(build)")[0].decode(String.self, "g"))
            }
            let (graphFive, graphThree) = (try await graph(five), try await graph(three))
            #expect(graphFive.edges.first { $0.to == Kind.biography.name }?.fanOut == .times(5))
            #expect(graphThree.edges.first { $0.to == Kind.biography.name }?.fanOut == .times(3))
            #expect(graphFive.joins.map(\.to) == [Kind.verify.name, Kind.reverify(1).name, Kind.reverify(2).name])
            #expect(graphThree.joins.map(\.to) == [Kind.verify.name])
            #expect(!graphThree.edges.contains { $0.to == Kind.regenerate.name })

            #expect(try await h.run(until: [five, three]))
            let (kindsFive, kindsThree) = (try await h.kinds(five), try await h.kinds(three))
            let namedFive = try await h.tasks(five).filter { $0.kind == Kind.entity.name }.filter {
                try decodeJSON(PrereqEntity.self, $0.output ?? "").named
            }.count
            let namedThree = try await h.tasks(three).filter { $0.kind == Kind.entity.name }.filter {
                try decodeJSON(PrereqEntity.self, $0.output ?? "").named
            }.count
            #expect(kindsFive[Kind.biography.name] == 5 * namedFive)
            #expect(kindsThree[Kind.biography.name] == 3 * namedThree)
            #expect(kindsFive[Kind.reverify(2).name] == 4, "every entity's chain runs to level 2")
            #expect(kindsThree[Kind.reverify(1).name] == nil && kindsThree[Kind.regenerate.name] == nil)
            let (folder, _) = try await h.export(three, "three")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("knowledge/statements_v3.jsonl").path))
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("knowledge/statements_v4.jsonl").path))
        }
    }

    @Test("two builds with the same input and seed export byte-identical data files", .timeLimit(.minutes(5)))
    func deterministicExport() async throws {
        try await RecipeHarness.with(simulator: { $0.hallucinationRate = 0.2 }) { h in
            let input = try h.write("persons.jsonl", try PrereqFixtures.jsonl(try PrereqFixtures.names("bio_skill_dev.json", count: 8)))
            // no_cache: the second build asks the endpoint again instead of reading the first one's answers.
            let spec = PrereqFixtures.spec(name: "same", input: input, parameters: "versions: 4", seed: 21, extra: "no_cache: true")
            let first = try #require(try await h.submit(spec).buildID)
            let second = try #require(try await h.submit(spec).buildID)
            #expect(try await h.run(until: [first, second]))
            let (a, manifestA) = try await h.export(first, "a")
            let (b, manifestB) = try await h.export(second, "b")
            let deterministic = { (manifest: ExportManifest) in manifest.files.filter(\.deterministic).map { "\($0.name) \($0.sha256)" } }
            #expect(deterministic(manifestA) == deterministic(manifestB))
            let expectedFiles = 13
            #expect(deterministic(manifestA).count == expectedFiles, "statements and passages per version (4 + 4), train_fake, entities, report, card, rejects")
            for name in ["skill/train_fake.jsonl", "entities.jsonl", "report.json", "knowledge/statements_v2.jsonl"] {
                let left = try Data(contentsOf: a.appendingPathComponent(name))
                #expect(left == (try Data(contentsOf: b.appendingPathComponent(name))), "\(name) differs between the two builds")
                #expect(!left.isEmpty)
            }
            #expect(manifestA.usage["total"]?.cacheHits == 0)
        }
    }

    @Test("12 medical entities, descriptions (top_down): K verified versions per kept entity, asked as \"Tell me about NAME.\"", .timeLimit(.minutes(5)))
    func medicalDescriptions() async throws {
        try await RecipeHarness.with(simulator: { $0.hallucinationRate = 0.1 }) { h in
            let seeds = try PrereqFixtures.names("medical_skill_dev.json", count: 12)
            let input = try h.write("medical.jsonl", try PrereqFixtures.jsonl(seeds))
            let build = try #require(try await h.submit(PrereqFixtures.spec(name: "medical", input: input, parameters: "versions: 4, domain: medical")).buildID)
            #expect(try await h.run(until: [build]))
            let (folder, _) = try await h.export(build, "export")
            let entities = try jsonLines(folder.appendingPathComponent("entities.jsonl"), as: PrereqRows.Entity.self)
            #expect(entities.map(\.seed) == seeds)
            let kept = entities.filter(\.kept)
            #expect(kept.count >= 6, "\(entities.map { "\($0.name): \($0.reason) \($0.versions.map(\.reasons))" })")
            #expect(Set(seeds.map(PrereqNames.key)).isDisjoint(with: entities.map { PrereqNames.key($0.name) }))
            let rows = try jsonLines(folder.appendingPathComponent("skill/train_fake.jsonl"), as: PrereqRows.TrainFake.self)
            #expect(rows.count == kept.count * 4)
            #expect(rows.allSatisfy { $0.messages[0].content == "Tell me about \($0.sWikiTitle)." })
            let verifications = try Self.verifications(try await h.tasks(build))
            for entity in kept {
                let sets = try #require(verifications[entity.position]).entries.compactMap { $0.content.map { Set($0.statements) } }
                #expect(Set(sets).count == 4, "\(entity.name): two versions state the same facts")
            }
        }
    }

    @Test("generated names that collide across the build regenerate: the first holder in input order keeps it, later ones are renamed before their versions are written",
          .timeLimit(.minutes(5)))
    func nameCollisions() async throws {
        try await RecipeHarness.with { h in
            // 60 medical entities: the simulator's small pool of invented medical names repeats.
            let seeds = try PrereqFixtures.names("medical_skill_dev.json", count: 60)
            let input = try h.write("medical.json", try PrereqFixtures.list(seeds))
            let build = try #require(
                try await h.submit(
                    PrereqFixtures.spec(name: "collide", input: input, parameters: "versions: 2, domain: medical, max_regenerations: 0, judge: false")
                ).buildID)
            #expect(try await h.run(until: [build]))
            let (folder, _) = try await h.export(build, "export")
            let entities = try jsonLines(folder.appendingPathComponent("entities.jsonl"), as: PrereqRows.Entity.self)
            #expect(entities.count == 60)
            // Entities renamed because an earlier one held their first name: the collided name is among
            // their refused names, and they went on under the new one.
            let renamed = entities.filter { $0.rejectedNames.contains { $0.problem == .generatedName } }
            #expect(!renamed.isEmpty, "60 names from a pool of 200 repeat, so some entity was renamed")
            #expect(
                renamed.filter { $0.reason == "name_generated_name" }.count <= 1,
                "renamed entities go on to their versions (only a second collision, which is rare, excludes one)")
            for entity in renamed {
                let collided = try #require(entity.rejectedNames.last { $0.problem == .generatedName })
                #expect(PrereqNames.key(collided.name) != PrereqNames.key(entity.name))
                // The earlier holder of the collided name kept it.
                #expect(entities.contains { $0.position < entity.position && PrereqNames.key($0.name) == PrereqNames.key(collided.name) })
            }
            let kept = entities.filter(\.kept)
            #expect(Set(kept.map { PrereqNames.key($0.name) }).count == kept.count, "no generated name twice")
            #expect(kept.allSatisfy { entity in !seeds.contains { PrereqNames.key($0) == PrereqNames.key(entity.name) } }, "no generated name is a seed's")
            let report = try decodeJSON(PrereqReport.self, try String(contentsOf: folder.appendingPathComponent("report.json"), encoding: .utf8))
            #expect(report.rejectedNames[PrereqNames.Problem.generatedName.rawValue, default: 0] >= renamed.count)
            #expect(report.exclusions["name_generated_name", default: 0] == renamed.filter { $0.reason == "name_generated_name" }.count)
        }
    }
}
