import Foundation
import QuarryPostgres
import QuarryTestSupport
import Testing

/// The README's main command, run as a user would: the built `quarry` executable, nothing configured.
@Suite("quarry demo")
struct DemoTests {
    @Test("with nothing configured, the demo starts its own PostgreSQL and simulator, runs the build and exports it", .timeLimit(.minutes(5)))
    func demoFromScratch() async throws {
        let home = NSTemporaryDirectory() + "quarry-demo-\(UUID().uuidString.prefix(8))"
        let out = home + "/out"
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await withChildProcesses { processes in
            let demo = try processes.start(
                TestDatabase.quarryExecutable, ["demo", "--home", home, "--out", out, "--workers", "2"],
                removing: ["QUARRY_DATABASE_URL", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "QUARRY_ENDPOINTS"])
            let status = await demo.waitForExit(timeout: .seconds(280))
            let said = demo.output
            #expect(status == 0, "demo said:\n\(said.suffix(3_000))")
            #expect(said.contains("starting a private PostgreSQL cluster"))
            #expect(said.contains("finished in"))
            #expect(said.contains("stopped the private PostgreSQL cluster"))
            let qa = try String(contentsOfFile: out + "/qa.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(qa.count >= 120, "60 passages × 2 arms, plus regenerated rows")
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any]
            #expect(report?["passages"] as? Int == 60)
            #expect(FileManager.default.fileExists(atPath: out + "/manifest.json"))
            // The same bytes as before rag4rag moved onto typed graphs (see Tests/Fixtures/README.md):
            // report.json as is, qa.jsonl with the old text-ordered rows put in record order.
            let goldenReport = try Data(contentsOf: Fixtures.url("rag4rag-golden/report.json"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/report.json")) == goldenReport)
            let golden = try String(contentsOf: Fixtures.url("rag4rag-golden/qa.jsonl"), encoding: .utf8).split(separator: "\n")
            let inRecordOrder = try golden.enumerated().sorted { a, b in
                let (la, lb) = (try Self.recordLine(a.element), try Self.recordLine(b.element))
                return la == lb ? a.offset < b.offset : la < lb
            }.map(\.element)
            #expect(qa == inRecordOrder, "qa.jsonl differs from the golden export")
            // Nothing of the private cluster is left running.
            let (_, running) = try ChildProcess.run(["ps", "-eo", "args"])
            #expect(!running.contains(home + "/postgres"))
        }
    }

    @Test("Ctrl-C stops the demo, its workers and its cluster, and says where the unfinished build stays", .timeLimit(.minutes(3)))
    func interrupted() async throws {
        let home = NSTemporaryDirectory() + "quarry-demo-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await withChildProcesses { processes in
            // Slow answers, so that the build is still running when the interrupt comes. The output is a pipe:
            // the demo's lines must arrive as they are printed, or the interrupt would come too late.
            let demo = try processes.start(
                TestDatabase.quarryExecutable, ["demo", "--home", home, "--workers", "2", "--latency-ms", "2000"],
                removing: ["QUARRY_DATABASE_URL", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "QUARRY_ENDPOINTS"])
            #expect(await eventually(timeout: .seconds(120)) { demo.output.contains("started the coordinator") }, "\(demo.output.suffix(2_000))")
            demo.signal(SIGINT)
            let status = await demo.waitForExit(timeout: .seconds(90))
            let said = demo.output
            #expect(status == 0, "\(said.suffix(2_000))")
            #expect(said.contains("interrupted; build 1 stays in the private cluster in \(home)/postgres"), "\(said.suffix(2_000))")
            #expect(said.contains("stopped the private PostgreSQL cluster"))
            let (_, running) = try ChildProcess.run(["ps", "-eo", "args"])
            #expect(!running.contains(home), "nothing started by the demo is left running")
        }
    }

    struct RecordLine: Decodable { var record_line: Int }

    static func recordLine(_ row: Substring) throws -> Int {
        try JSONDecoder().decode(RecordLine.self, from: Data(row.utf8)).record_line
    }
}
