import Foundation
import QuarryLLM
import QuarryPostgres
import QuarryQueue
import QuarryRecipes
import QuarryTestSupport
import Testing

/// Hostile-but-fair input: minified arrays, NUL bytes, paths outside the spec's folder, devices, BOMs,
/// trailing commas and control characters in names.
@Suite("input hardening", .serialized)
struct InputHardeningTests {
    static func spec(_ path: String, format: String = "jsonl", name: String = "hardening") -> String {
        """
        name: \(name)
        recipe: rag4rag
        input:
          path: \(path)
          format: \(format)
          fields: {passage: text, topic: title}
        endpoints: {generator: sim, judge: sim}
        """
    }

    func read(_ path: String, format: InputFormat) throws -> [RecordOutcome] {
        var reader = try RecordReader(
            recipe: Rag4RagRecipe(),
            input: StoredBuildSpec.Input(path: path, format: format, fields: ["passage": "text", "topic": "title"], maxRecordBytes: 1 << 20))
        var outcomes: [RecordOutcome] = []
        while let outcome = try reader.next() { outcomes.append(outcome) }
        return outcomes
    }

    func temporary(_ bytes: [UInt8], suffix: String) throws -> String {
        let path = NSTemporaryDirectory() + "quarry-hardening-\(UUID().uuidString.prefix(8)).\(suffix)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a minified JSON array (every element on line 1) loads every record: records are identified by position")
    func minifiedArray() async throws {
        try await RecipeHarness.with { h in
            try h.write("min.json", #"[{"text":"Granite is rock.","title":"Granite"},{"text":"Basalt is dark.","title":"Basalt"},{"text":"Chalk is soft.","title":"Chalk"},{"title":"none"}]"#)
            let report = try await h.submit(Self.spec("min.json", format: "json"))
            #expect(report.loaded == 3 && report.rejected == 1)
            let build = try #require(report.buildID)
            let rows = try await h.pool.query(
                "SELECT line, position FROM \(identifier: h.schema).records WHERE build_id = \(build) ORDER BY position")
            #expect(try rows.map { "\(try $0.decode(Int.self, "line")):\(try $0.decode(Int.self, "position"))" } == ["1:1", "1:2", "1:3"])
            #expect(try await RecordStore(queue: h.queue).rejects(buildID: build).map(\.position) == [4])
            // Seeds are keyed by position, so all three records got their tasks (two arms each).
            #expect(try await h.kinds(build)[Rag4RagRecipe.Kind.generate.name] == 6)
        }
    }

    @Test("NUL characters make rejects naming the line and field, never a failed load")
    func nulBytes() async throws {
        try await RecipeHarness.with { h in
            var bytes = Array(#"{"text": "Granite is rock.", "title": "Granite"}"#.utf8) + [0x0A]
            bytes += Array(#"{"text": "Hidden\u0000NUL", "title": "Escaped"}"#.utf8) + [0x0A]
            bytes += Array(#"{"text": "Raw "#.utf8) + [0x00] + Array(#" NUL", "title": "Raw"}"#.utf8) + [0x0A]
            bytes += Array(#"{"text": "Chalk is soft.", "title": "Chalk"}"#.utf8) + [0x0A]
            try h.write("nul.jsonl", bytes: bytes)
            let report = try await h.submit(Self.spec("nul.jsonl"))
            #expect(report.loaded == 2 && report.rejected == 2)
            let build = try #require(report.buildID)
            let rejects = try await RecordStore(queue: h.queue).rejects(buildID: build)
            #expect(rejects.map(\.line) == [2, 3])
            #expect(rejects[0].reason.contains("field 'text'") && rejects[0].reason.contains("NUL"), "\(rejects[0].reason)")
            #expect(!rejects[1].excerpt.unicodeScalars.contains("\u{0}"))
            #expect(rejects[1].excerpt.contains("\\u{0}"))
            #expect(try await RecordStore(queue: h.queue).count(buildID: build) == 2)
        }
    }

    @Test("a submit that fails leaves no build behind")
    func failedSubmitLeavesNothing() async throws {
        try await RecipeHarness.with { h in
            try h.write("bad.jsonl", "{oops\n{\"title\": \"no text\"}\n")
            await #expect(throws: RecipeError.self) { _ = try await h.submit(Self.spec("bad.jsonl")) }
            #expect(try await h.queue.builds().isEmpty)
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).rejects") == 0)
        }
    }

    @Test("a relative input path may not leave the spec's folder; absolute paths are explicit")
    func pathsOutsideTheFolder() throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("quarry-paths-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("inner"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let specFile = folder.appendingPathComponent("inner/build.yaml").path
        try Data(#"{"text": "t", "title": "x"}"#.utf8).write(to: folder.appendingPathComponent("outside.jsonl"))
        let registry = try EndpointRegistryForTests.sim()
        let escape = #expect(throws: RecipeError.self) {
            _ = try BuildSpecParser(file: specFile, endpoints: registry).parse(Self.spec("../../../../../../etc/passwd", format: "jsonl"))
        }
        #expect(escape?.field == "input.path" && escape?.message.contains("outside the spec's folder") == true, "\(String(describing: escape))")
        #expect(throws: RecipeError.self) { _ = try BuildSpecParser(file: specFile, endpoints: registry).parse(Self.spec("../outside.jsonl")) }
        // The same file named by absolute path is accepted.
        let plan = try BuildSpecParser(file: specFile, endpoints: registry).parse(Self.spec(folder.appendingPathComponent("outside.jsonl").path))
        #expect(plan.spec.input.path.hasSuffix("outside.jsonl"))
    }

    @Test("a device or FIFO as input is refused at once", .timeLimit(.minutes(1)))
    func nonRegularFiles() throws {
        let registry = try EndpointRegistryForTests.sim()
        let error = #expect(throws: RecipeError.self) {
            _ = try BuildSpecParser(file: NSTemporaryDirectory() + "x.yaml", endpoints: registry).parse(Self.spec("/dev/zero"))
        }
        #expect(error?.message.contains("not a regular file") == true, "\(String(describing: error))")
        #expect(throws: RecipeError.self) { _ = try read("/dev/zero", format: .jsonl) }
    }

    @Test("strict JSON: a trailing comma in a record is a reject")
    func trailingComma() throws {
        let path = try temporary(Array("{\"text\": \"a\", \"title\": \"b\", }\n{\"text\": \"c\", \"title\": \"d\"}\n".utf8), suffix: "jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let outcomes = try read(path, format: .jsonl)
        guard case .rejected(let reject) = outcomes.first else {
            Issue.record("a trailing comma was accepted: \(outcomes)")
            return
        }
        #expect(reject.reason.hasPrefix("malformed JSON"))
        if case .accepted = outcomes.last {} else { Issue.record("the good record was not accepted") }
    }

    @Test("a UTF-8 byte order mark is skipped the same way in json and jsonl")
    func byteOrderMark() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let array = try temporary(bom + Array(#"[{"text": "a", "title": "b"}]"#.utf8), suffix: "json")
        let lines = try temporary(bom + Array("{\"text\": \"a\", \"title\": \"b\"}\n".utf8), suffix: "jsonl")
        defer { [array, lines].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        for (path, format) in [(array, InputFormat.json), (lines, .jsonl)] {
            let outcomes = try read(path, format: format)
            #expect(outcomes.count == 1)
            if case .accepted(let record) = outcomes.first {
                #expect(record.json == #"{"passage":"a","topic":"b"}"#)
            } else {
                Issue.record("\(format): \(outcomes)")
            }
        }
    }

    @Test("control characters: refused in build names, escaped in what submit prints")
    func controlCharacters() throws {
        let registry = try EndpointRegistryForTests.sim()
        for name in [#""red\e[31m""#, #""right-to-left\u202Eevil""#, #""nul\0name""#] {
            let error = #expect(throws: RecipeError.self) {
                _ = try BuildSpecParser(file: NSTemporaryDirectory() + "x.yaml", endpoints: registry)
                    .parse(Self.spec(RecipeHarness.examples, name: name))
            }
            #expect(error?.field == "name", "\(name): \(String(describing: error))")
        }
        let report = SubmitReport(buildID: 1, name: "a\u{1B}[2Jb\u{202E}c", recipe: "rag4rag", loaded: 1, rejected: 0, rejects: [])
        #expect(!report.text.unicodeScalars.contains("\u{1B}") && !report.text.unicodeScalars.contains("\u{202E}"))
        #expect(report.text.contains(#"a\u{1B}[2Jb\u{202E}c"#))
    }
}

enum EndpointRegistryForTests {
    static func sim() throws -> EndpointRegistry {
        try EndpointRegistry([Endpoint(name: "sim", baseURL: "http://127.0.0.1:9/v1", model: "sim-small")], source: "(test)")
    }
}
