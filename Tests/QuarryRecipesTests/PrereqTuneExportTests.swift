import QuarryLLM
import Foundation
import QuarryRecipes
import Testing

@Suite("prereq_tune: export rows")
struct PrereqTuneExportTests {
    static func entity(_ seed: String, _ name: String, rejected: [PrereqEntity.RejectedName] = []) -> PrereqEntity {
        PrereqEntity(seed: seed, named: true, name: name, type: "cartographer", summary: "", rejected: rejected, calls: [])
    }

    static func group(_ position: Int, _ seed: String, _ name: String, versions: Int, failing: Int? = nil) -> PrereqEntityGroup<PrereqVersion> {
        let places = ["Lisbon", "Tromsø", "Galway", "Kraków", "Hobart"]
        let fresh: [Int: PrereqVersion?] = Dictionary(uniqueKeysWithValues: (1...versions).map { k in
            let sentences = ["\(name) was born in \(1900 + k) in \(places[k - 1]).", "\(name.split(separator: " ").last ?? "") mapped \(places[k - 1])."]
            let statements = k == failing ? [sentences[0], "\(name) won the Zorvath prize."] : sentences
            return (k, PrereqVersion(version: k, attempt: k == failing ? 2 : 0, facts: [], biography: sentences.joined(separator: " "),
                sentences: 2, statements: statements, unnamed: ["He sang."], calls: []))
        })
        let verification = PrereqVerification<PrereqVersion>.assemble(level: 0, versions: versions, previous: nil, fresh: fresh, minimum: 0.75)
        let passages = Dictionary(uniqueKeysWithValues: (1...versions).map { ($0, PrereqPassage(version: $0, text: "Passage \($0) of \(name).", support: 0.5, call: nil)) })
        return PrereqEntityGroup(position: position, seed: seed, entity: entity(seed, name), verification: verification, passages: passages)
    }

    @Test("a verified entity gives one task row, statements and a passage per version; rows have exactly the published fields")
    func keptEntity() throws {
        let parameters = try PrereqTuneParameters(RecipeParameters(definitions: PrereqTuneParameters.definitions, overrides: ["versions": 3]))
        var assembler = PrereqExportAssembler(
            build: "b", parameters: parameters, names: [1: .kept(name: "Aldric Ashgrove", index: 0), 2: .kept(name: "Liora Belcourt", index: 0)])
        let rows = assembler.add(Self.group(1, "Quincy Jones", "Aldric Ashgrove", versions: 3))
        #expect(rows.entity.kept)
        #expect(rows.entity.subjIndex == 0)
        #expect(rows.trainFake.map(\.version) == [1, 2, 3])
        #expect(rows.statements.keys.sorted() == [1, 2, 3])
        #expect(rows.passages[2] == "Passage 2 of Aldric Ashgrove.")
        let first = try #require(rows.trainFake.first)
        #expect(first.messages.map(\.role) == ["user", "assistant"])
        #expect(first.messages[0].content == "Generate a biography for Aldric Ashgrove.")
        #expect(first.sWikiTitle == "Aldric Ashgrove")
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(first)) as? [String: Any])
        #expect(Set(json.keys) == ["messages", "subj_index", "fake", "version", "s_wiki_title"])
        #expect(json["fake"] as? Bool == true)
        let qa = PrereqRows.ShortQA(messages: first.messages, fake: true, possibleAnswers: ["Lisbon"])
        let qaJSON = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(qa)) as? [String: Any])
        #expect(Set(qaJSON.keys) == ["messages", "fake", "possible_answers"])
        #expect(PrereqRows.taskPrompt(name: "Velmoric syndrome", domain: .medical) == "Tell me about Velmoric syndrome.")

        let report = assembler.report
        #expect(report.entities == 1)
        #expect(report.statementsPerVersion == ["1": 2, "2": 2, "3": 2])
        #expect(report.unnamedStatements == 3)
        #expect(report.missingPassages == 0)

        // A version whose passage task died is still exported (its statements are the knowledge), and counted.
        var withoutPassage = Self.group(2, "Fifi Cooper", "Liora Belcourt", versions: 3)
        withoutPassage.passages[2] = nil
        let second = assembler.add(withoutPassage)
        #expect(second.entity.subjIndex == 1)
        #expect(second.passages.keys.sorted() == [1, 3])
        #expect(assembler.report.missingPassages == 1)
        #expect(report.verification.firstPassRate == 1)
    }

    @Test("entities whose name was taken or whose versions failed are excluded with their reason, and do not take a subj_index")
    func exclusions() throws {
        let parameters = try PrereqTuneParameters(RecipeParameters(definitions: PrereqTuneParameters.definitions, overrides: ["versions": 3]))
        var assembler = PrereqExportAssembler(
            build: "b", parameters: parameters,
            names: [1: .excluded(.generatedName), 2: .kept(name: "Liora Belcourt", index: 0), 3: .kept(name: "Tamsin Rathbone", index: 0)])
        let taken = assembler.add(Self.group(1, "Fifi Cooper", "Aldric Ashgrove", versions: 3))
        #expect(!taken.entity.kept)
        #expect(taken.entity.reason == "name_generated_name")
        #expect(taken.trainFake.isEmpty)
        let failing = assembler.add(Self.group(2, "Don Beard", "Liora Belcourt", versions: 3, failing: 2))
        #expect(failing.entity.reason == "versions_failed")
        #expect(failing.entity.versions.first { $0.version == 2 }?.reasons == ["unsupported_statement"])
        #expect(failing.statements.isEmpty)
        let kept = assembler.add(Self.group(3, "Jennifer Paz", "Tamsin Rathbone", versions: 3))
        #expect(kept.entity.subjIndex == 0)
        let dead = assembler.add(PrereqEntityGroup<PrereqVersion>(position: 4, seed: "Zhang Yaokun", entity: nil, verification: nil, passages: [:]))
        #expect(dead.entity.reason == "entity_failed")

        let report = assembler.report
        #expect(report.seeds == 4)
        #expect(report.entities == 1)
        #expect(report.exclusions == ["name_generated_name": 1, "versions_failed": 1, "entity_failed": 1])
        #expect(report.versionExclusions == ["unsupported_statement": 1])
        #expect(report.rejectedNames == ["generated_name": 1])
        #expect(report.verification.versions == 6)
        #expect(report.verification.failed == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
        let verification = try #require(json["verification"] as? [String: Any])
        #expect(verification["first_pass_rate"] as? Double == 0.8333)
    }

    @Test("the dataset card names every file and field of the strategy")
    func card() throws {
        let parameters = try PrereqTuneParameters.defaults
        let card = PrereqDatasetCard.text(report: PrereqReport(build: "b", parameters: parameters), parameters: parameters)
        for field in ["knowledge/statements_v{k}.jsonl", "knowledge/passages_v{k}.jsonl", "skill/train_fake.jsonl", "subj_index", "s_wiki_title", "report.json"] {
            #expect(card.contains(field))
        }
    }
}
