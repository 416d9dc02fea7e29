import Foundation
import QuarryRecipes
import QuarryTestSupport
import Testing

@Suite("prereq_tune input: the published seed lists load as they are")
struct PrereqTuneInputTests {
    func read(_ path: String, recipe: any Recipe, fields: [String: String]) throws -> [RecordOutcome] {
        var reader = try RecordReader(recipe: recipe, input: StoredBuildSpec.Input(path: path, format: .json, fields: fields, maxRecordBytes: 1 << 20))
        var outcomes: [RecordOutcome] = []
        while let outcome = try reader.next() { outcomes.append(outcome) }
        return outcomes
    }

    @Test("a JSON list of bare names (bio_skill_dev.json) loads as {\"name\"} records for a one-field recipe; other recipes still reject strings")
    func bareNames() throws {
        let path = Fixtures.url("prereq/bio_skill_dev.json").path
        let outcomes = try read(path, recipe: PrereqTuneRecipe(), fields: [:])
        let accepted = outcomes.compactMap { if case .accepted(let record) = $0 { record } else { nil } }
        #expect(accepted.count == 60)
        #expect(accepted.first?.json == #"{"name":"Prince Carl Philip, Duke of Värmland"}"#)
        #expect(accepted.first?.text == "Prince Carl Philip, Duke of Värmland")
        #expect(accepted.map(\.position) == Array(1...60))
        // Mapped to another field name, a bare string is still the one field.
        let mapped = try read(path, recipe: PrereqTuneRecipe(), fields: ["name": "s_wiki_title"])
        #expect(mapped.allSatisfy { if case .accepted = $0 { true } else { false } })

        let rag4rag = try read(path, recipe: Rag4RagRecipe(), fields: [:])
        #expect(rag4rag.allSatisfy { if case .rejected(let reject) = $0 { reject.reason.hasPrefix("not a JSON object") } else { false } })
        // Numbers and lists are no names.
        let odd = NSTemporaryDirectory() + "quarry-prereq-odd-\(UUID().uuidString.prefix(8)).json"
        try Data(#"["Ada Quell", 7, ["x"], {"name": "Bo Rand"}]"#.utf8).write(to: URL(fileURLWithPath: odd))
        defer { try? FileManager.default.removeItem(atPath: odd) }
        let reasons = try read(odd, recipe: PrereqTuneRecipe(), fields: [:]).map { outcome -> String in
            switch outcome {
            case .accepted(let record): return record.json
            case .rejected(let reject): return reject.reason
            }
        }
        #expect(reasons == [#"{"name":"Ada Quell"}"#, #"not a JSON object or string (each record must be {…} or "…")"#,
                            #"not a JSON object or string (each record must be {…} or "…")"#, #"{"name":"Bo Rand"}"#])
    }
}
