import Foundation
import QuarryLLM
import QuarryQueue
import QuarryRecipes
import QuarryTestSupport
import Testing

@Suite("input records: streamed, mapped, and bad ones rejected by line with a reason", .serialized)
struct RecordInputTests {
    /// A JSON Lines file with one of each kind of bad record between good ones.
    static func mixedInput() -> [UInt8] {
        var bytes: [UInt8] = []
        func line(_ text: String) { bytes += Array(text.utf8) + [0x0A] }
        line(#"{"text": "Granite is an igneous rock rich in quartz.", "title": "Granite"}"#)  // 1 good
        line(#"{"text": "Basalt is dark", "title": "Basalt""#)  // 2 malformed
        line("   ")  // 3 blank: skipped, not a record
        line(#"{"title": "No text here"}"#)  // 4 missing the mapped field
        bytes += Array(#"{"text": "Bad "#.utf8) + [0xC3, 0x28] + Array(#" bytes", "title": "UTF-8"}"#.utf8) + [0x0A]  // 5 invalid UTF-8
        line(#"{"text": ""# + String(repeating: "huge ", count: 1_048_576) + #"", "title": "Huge"}"#)  // 6: 5 MB
        line(#"{"text": "Limestone forms from shells.", "title": "Limestone"}"#)  // 7 good
        line(#"["not", "an", "object"]"#)  // 8
        bytes += Array(#"{"text": "Obsidian is volcanic glass.", "title": "Obsidian", "id": 9}"#.utf8) + [0x0D, 0x0A]  // 9 good, CRLF
        line(#"{"text": "   ", "title": "Blank passage"}"#)  // 10 empty required field
        return bytes
    }

    static let spec = """
        name: mixed
        recipe: rag4rag
        input:
          path: mixed.jsonl
          fields: {passage: text, topic: title}
        endpoints: {generator: sim, judge: sim}
        """

    func read(_ path: String, format: InputFormat, fields: [String: String]) throws -> [RecordOutcome] {
        var reader = try RecordReader(
            recipe: Rag4RagRecipe(), input: StoredBuildSpec.Input(path: path, format: format, fields: fields, maxRecordBytes: 1 << 20))
        var outcomes: [RecordOutcome] = []
        while let outcome = try reader.next() { outcomes.append(outcome) }
        return outcomes
    }

    @Test("JSON Lines: each bad record is rejected with its line and reason; good ones keep only the mapped fields")
    func jsonLines() throws {
        let path = NSTemporaryDirectory() + "quarry-mixed-\(UUID().uuidString.prefix(8)).jsonl"
        try Data(Self.mixedInput()).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let outcomes = try read(path, format: .jsonl, fields: ["passage": "text", "topic": "title"])
        var accepted: [BuildRecord] = []
        var rejected: [Int: String] = [:]
        for outcome in outcomes {
            switch outcome {
            case .accepted(let record): accepted.append(record)
            case .rejected(let reject): rejected[reject.line] = reject.reason
            }
        }
        #expect(accepted.map(\.line) == [1, 7, 9])
        #expect(accepted[0].json == #"{"passage":"Granite is an igneous rock rich in quartz.","topic":"Granite"}"#)
        #expect(accepted[2].json == #"{"id":"9","passage":"Obsidian is volcanic glass.","topic":"Obsidian"}"#)
        #expect(accepted[0].text == "Granite is an igneous rock rich in quartz.")
        #expect(rejected.keys.sorted() == [2, 4, 5, 6, 8, 10])
        #expect(rejected[2]?.hasPrefix("malformed JSON") == true)
        #expect(rejected[4] == "missing field 'text' (mapped to passage)")
        #expect(rejected[5] == "invalid UTF-8 at byte 14 of the record")
        #expect(rejected[6]?.contains("over the limit of 1048576 bytes") == true)
        #expect(rejected[6]?.contains("record is 5242") == true)
        #expect(rejected[8]?.hasPrefix("not a JSON object") == true)
        #expect(rejected[10] == "field 'text' (mapped to passage) is empty")
    }

    @Test("a JSON array is cut into elements numbered by the line they start on (medquad: 200 records)")
    func jsonArray() throws {
        let outcomes = try read(RecipeHarness.medquad, format: .json, fields: ["passage": "output", "topic": "instruction"])
        let lines = outcomes.compactMap { outcome -> Int? in
            if case .accepted(let record) = outcome { return record.line }
            return nil
        }
        #expect(lines.count == 200)
        #expect(lines.first == 2)
        #expect(lines == lines.sorted())

        let path = NSTemporaryDirectory() + "quarry-array-\(UUID().uuidString.prefix(8)).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = """
            [
              {"text": "One, with a ] and a } in a string.", "title": "A"},
              {"text": "Two" "title": "B"},
              {"title": "C"},,
              {"text": "Four", "title": "D"}
            ] trailing
            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let mixed = try read(path, format: .json, fields: ["passage": "text", "topic": "title"])
        let summary = mixed.map { outcome -> String in
            switch outcome {
            case .accepted(let record): return "\(record.line) ok"
            case .rejected(let reject): return "\(reject.line) \(reject.reason)"
            }
        }
        #expect(summary.count == 6)
        #expect(summary[0] == "2 ok")
        #expect(summary[1].hasPrefix("3 malformed JSON"))
        #expect(summary[2] == "4 missing field 'text' (mapped to passage)")
        #expect(summary[3] == "4 an empty element (two commas in a row)")
        #expect(summary[4] == "5 ok")
        #expect(summary[5] == "6 unexpected text after the array's closing ']'")

        try Data("{\"text\": \"x\"}\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: RecipeError.self) { try read(path, format: .json, fields: [:]) }
    }

    @Test("submit stores rejects and runs the rest of the build to completion", .timeLimit(.minutes(4)))
    func submitWithRejects() async throws {
        try await RecipeHarness.with { h in
            try h.write("mixed.jsonl", bytes: Self.mixedInput())
            let report = try await h.submit(Self.spec)
            #expect(report.loaded == 3)
            #expect(report.rejected == 6)
            #expect(report.text.contains("line 6: record is"))
            let build = try #require(report.buildID)
            let stored = try await RecordStore(queue: h.queue).rejects(buildID: build)
            #expect(stored.map(\.line) == [2, 4, 5, 6, 8, 10])
            #expect(stored.allSatisfy { $0.excerpt.utf8.count <= 200 })
            #expect(try await RecordStore(queue: h.queue).count(buildID: build) == 3)

            #expect(try await h.run(until: [build]))
            #expect(try await h.kinds(build)[Rag4RagRecipe.Kind.generate.name] == 6)
            let (folder, manifest) = try await h.export(build, "export")
            #expect(manifest.records == ExportManifest.Records(loaded: 3, rejected: 6))
            let rejects = try String(contentsOf: folder.appendingPathComponent("rejects.jsonl"), encoding: .utf8)
            #expect(rejects.split(separator: "\n").count == 6)
            #expect(manifest.files.first { $0.name == "rejects.jsonl" }?.lines == 6)

            // An input with no good record creates no build that could run.
            try h.write("bad.jsonl", "{oops\n{\"title\": \"no text\"}\n")
            do {
                _ = try await h.submit(Self.spec.replacingOccurrences(of: "mixed.jsonl", with: "bad.jsonl"), file: "bad.yaml")
                Issue.record("expected no_records")
            } catch let error as RecipeError {
                #expect(error.code == .noRecords)
                #expect(error.message.contains("2 rejected") && error.message.contains("line 1"))
            }
            // It leaves no build behind either.
            #expect(try await h.queue.builds().map(\.id) == [build])
        }
    }

    @Test("submit reports its progress after every batch stored: records loaded and rejected so far")
    func submitProgress() async throws {
        try await RecipeHarness.with { h in
            var lines = (1...4_500).map { #"{"text": "Passage \#($0) about granite.", "title": "T\#($0)"}"# }
            lines[2_999] = "{oops"
            try h.write("many.jsonl", lines.joined(separator: "\n") + "\n")
            let plan = try BuildSpecParser(
                file: try h.write("many.yaml", Self.spec.replacingOccurrences(of: "mixed.jsonl", with: "many.jsonl")), endpoints: h.registry
            ).parseFile()
            var seen: [(loaded: Int, rejected: Int)] = []
            let report = try await BuildSubmitter(queue: h.queue).submit(plan) { seen.append(($0.loaded, $0.rejected)) }
            #expect(seen.map(\.loaded) == [2_000, 3_999] && seen.map(\.rejected) == [0, 1], "after each batch of 2,000 records")
            #expect(report.loaded == 4_499 && report.rejected == 1)
        }
    }

    @Test("full-text retrieval over a build's records ranks the matching passage first")
    func retrieval() async throws {
        try await RecipeHarness.with { h in
            let build = try await h.queue.createBuild(name: "search")
            let records = RecordStore(queue: h.queue)
            try await records.load(buildID: build, [
                BuildRecord(line: 1, json: "{}", text: "Granite is an igneous rock rich in quartz and feldspar."),
                BuildRecord(line: 2, json: "{}", text: "Limestone forms from the shells of marine organisms."),
                BuildRecord(line: 3, json: "{}", text: "Basalt is a dark volcanic rock."),
            ])
            let hits = try await records.search(buildID: build, query: "Which rock contains quartz?", limit: 2)
            #expect(hits.first?.line == 1)
            #expect(try await records.search(buildID: build, query: "Which rock contains quartz?", limit: 2, excludingPosition: 1).first?.line != 1)
            #expect(try await records.search(buildID: build, query: "the of and", limit: 2).isEmpty)
        }
    }
}
