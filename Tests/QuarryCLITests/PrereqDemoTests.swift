import Foundation
import QuarryPostgres
import QuarryTestSupport
import Testing

/// `quarry demo --recipe prereq_tune`, run as a user would: the built executable, nothing configured.
@Suite("quarry demo --recipe prereq_tune")
struct PrereqDemoTests {
    @Test("runs the bundled prereq_tune example end to end and exports the published layout", .timeLimit(.minutes(5)))
    func prereqDemo() async throws {
        let home = NSTemporaryDirectory() + "quarry-prereq-demo-\(UUID().uuidString.prefix(8))"
        let out = home + "/out"
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await withChildProcesses { processes in
            let demo = try processes.start(
                TestDatabase.quarryExecutable, ["demo", "--recipe", "prereq_tune", "--home", home, "--out", out, "--workers", "2"],
                removing: ["QUARRY_DATABASE_URL", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "QUARRY_ENDPOINTS"])
            let status = await demo.waitForExit(timeout: .seconds(280))
            #expect(status == 0, "demo said:\n\(demo.output.suffix(3_000))")
            let entities = try String(contentsOfFile: out + "/entities.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(entities.count == 12, "one row per seed of the example input")
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any]
            #expect(report?["seeds"] as? Int == 12)
            let kept = try #require(report?["entities"] as? Int)
            #expect(kept > 0)
            let rows = try String(contentsOfFile: out + "/skill/train_fake.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(rows.count == kept * 5)
            for version in 1...5 {
                #expect(FileManager.default.fileExists(atPath: out + "/knowledge/statements_v\(version).jsonl"))
                #expect(FileManager.default.fileExists(atPath: out + "/knowledge/passages_v\(version).jsonl"))
            }
            #expect(FileManager.default.fileExists(atPath: out + "/README.md"))
            #expect(FileManager.default.fileExists(atPath: out + "/manifest.json"))
        }
    }
}
