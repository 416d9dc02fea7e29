import Foundation
import QuarryQueue
import QuarryRecipes
import QuarryTestSupport
import Testing

@Suite("exports are deterministic", .serialized)
struct DeterminismTests {
    static let spec = """
        name: examples
        recipe: rag4rag
        input:
          path: \(RecipeHarness.examples)
          fields: {passage: text, topic: title, id: id}
        endpoints: {generator: sim, judge: sim}
        seed: 42
        no_cache: true
        """

    @Test("two builds with the same inputs and seed export byte-identical data files", .timeLimit(.minutes(5)))
    func identicalExports() async throws {
        try await RecipeHarness.with(simulator: { $0.hallucinationRate = 0.3 }) { h in
            // no_cache: the second build asks the endpoint again instead of reading the first one's answers.
            let first = try #require(try await h.submit(Self.spec).buildID)
            let second = try #require(try await h.submit(Self.spec).buildID)
            #expect(try await h.run(until: [first, second]))
            let (a, manifestA) = try await h.export(first, "a")
            let (b, manifestB) = try await h.export(second, "b")
            for name in ["qa.jsonl", "report.json", "rejects.jsonl"] {
                let left = try Data(contentsOf: a.appendingPathComponent(name))
                let right = try Data(contentsOf: b.appendingPathComponent(name))
                #expect(left == right, "\(name) differs between the two builds")
                #expect(!left.isEmpty || name == "rejects.jsonl")
            }
            let deterministic = { (manifest: ExportManifest) in manifest.files.filter(\.deterministic).map { "\($0.name) \($0.sha256)" } }
            #expect(deterministic(manifestA) == deterministic(manifestB))
            #expect(deterministic(manifestA).count == 3)
            // Run-specific ids are kept apart, in provenance.jsonl.
            let idsA = try String(contentsOf: a.appendingPathComponent("provenance.jsonl"), encoding: .utf8)
            #expect(idsA.contains("\"build_id\":\(first)"))
            #expect(manifestA.usage["total"]?.cacheHits == 0, "no_cache: every call went to the endpoint")
            let rows = try jsonLines(a.appendingPathComponent("qa.jsonl"), as: Rag4RagQARow.self)
            #expect(Set(rows.map(\.recordLine)).count == 60)
            #expect(rows.allSatisfy { $0.recordID != nil })
        }
    }

    @Test("a prompt override is stored in the spec and recorded as each result's prompt version", .timeLimit(.minutes(4)))
    func promptOverride() async throws {
        try await RecipeHarness.with { h in
            let text = "[system]\nQUARRY-JUDGE\nJudge strictly: is every claim of the answer in the passage?\n[user]\n<context>\n{{passage}}\n</context>\n<answer>{{answer}}</answer>\n"
            try h.write("strict_verify.txt", text)
            let spec = Self.spec.replacingOccurrences(of: "no_cache: true", with: "prompts: {verify: strict_verify.txt}")
            let build = try #require(try await h.submit(spec).buildID)
            // Workers read the override from the build's spec, not from the file.
            try FileManager.default.removeItem(at: h.folder.appendingPathComponent("strict_verify.txt"))
            #expect(try await h.run(until: [build]))
            let versions = Set(try await h.tasks(build).filter { $0.kind == Rag4RagRecipe.Kind.verify.name }.compactMap(\.promptVersion))
            #expect(versions.count == 1)
            #expect(versions.first?.hasPrefix("verify@override-") == true)
            let (_, manifest) = try await h.export(build, "export")
            #expect(manifest.promptVersions["verify"] == versions.first)
            #expect(manifest.spec.prompts["verify"]?.text == text)
        }
    }
}
