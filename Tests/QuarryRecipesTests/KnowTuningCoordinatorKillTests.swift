import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryRecipes
import QuarryTestSupport
import Testing

/// What a KnowTuning build stopped mid-expansion exports, and what it exports once finished. (That a
/// restarted coordinator creates no duplicates is `CoordinatorProcessTests.killMidExpansionKnowTuning`.)
@Suite("KnowTuning: exports of a build whose coordinator was killed mid-expansion", .serialized)
struct KnowTuningCoordinatorKillTests {
    typealias Kinds = KnowTuningRecipe.Kinds

    static func worker(_ h: RecipeHarness) -> Worker {
        Worker(queue: h.queue, handlers: h.handlers(), configuration: WorkerConfiguration(concurrency: 32, runRescuer: true))
    }

    /// Starts a `quarry coordinator` process among `processes` (stopped, if still running, when the test ends).
    func coordinator(_ h: RecipeHarness, _ processes: ChildProcesses) throws -> ChildProcess {
        try processes.start(
            TestDatabase.quarryExecutable,
            ["coordinator", "--database-url", TestDatabase.connectionString, "--schema", h.schema, "--progress-seconds", "0.5",
             "--lease-seconds", "5", "--heartbeat-seconds", "1"])
    }

    @Test(
        "stalled by kill -9 once joins fire: the partial export accounts for every record; restarted, it exports what an undisturbed build does",
        .timeLimit(.minutes(8)))
    func killMidExpansion() async throws {
        try await RecipeHarness.with(simulator: {
            $0.hallucinationRate = 0.2
            $0.latency = .fixed(ms: 60)
        }) { h in
            try h.write("qa.jsonl", try KnowTuningEndToEndTests.input())
            let records = KnowTuningEndToEndTests.recordCount
            let build = try #require(try await h.submit(KnowTuningEndToEndTests.spec(name: "kt-kill"), file: "kill.yaml").buildID)
            try await killAndRestart(h, build: build, records: records)
            try await checkFinished(h, build: build)
        }
    }

    /// Runs the build with a coordinator process killed with -9 once joins have fired, checks the partial
    /// export, then finishes it with a second coordinator.
    func killAndRestart(_ h: RecipeHarness, build: Int, records: Int) async throws {
        try await withChildProcesses { processes in
            let first = try coordinator(h, processes)
            try await whileRunning(Self.worker(h)) {
                let started = try await eventually(timeout: .seconds(60), every: .milliseconds(10)) {
                    if let status = first.exitStatusIfExited() {
                        Issue.record("quarry coordinator exited (\(status)): \(first.output)")
                        return true
                    }
                    return try await h.kinds(build)[Kinds.select.name, default: 0] > 0
                }
                #expect(started)
                first.signal(SIGKILL)
                #expect(await first.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
                let drained = try await eventually(timeout: .seconds(60)) {
                    try await h.count(
                        "SELECT count(*) FROM \(identifier: h.schema).tasks WHERE build_id = \(build) AND state IN ('available', 'running')") == 0
                }
                #expect(drained)
            }
            #expect(try await h.queue.build(build)?.state == .active, "killed mid-build, not after it")

            // A partial export still accounts for every record, the unfinished ones as pending.
            let (partialFolder, partial) = try await h.export(build, "partial")
            #expect(partial.partial)
            let partialReport = try decodeJSON(
                KnowTuningReport.self, try String(contentsOf: partialFolder.appendingPathComponent("report.json"), encoding: .utf8))
            #expect(partialReport.records.loaded == records)
            for aspect in KnowTuningAspect.allCases {
                let counts = partialReport.aspects[aspect.rawValue] ?? KnowTuningReport.Aspect()
                #expect(counts.pairs + counts.excluded.values.reduce(0, +) == records, "\(aspect)")
            }
            #expect(partialReport.exclusions["pending", default: 0] > 0, "the kill left chains unexpanded")

            let second = try coordinator(h, processes)
            try await whileRunning(Self.worker(h)) {
                let completed = try await eventually(timeout: .seconds(180), every: .milliseconds(200)) {
                    try await h.queue.build(build)?.state == .completed
                }
                #expect(completed)
            }
            second.signal(SIGTERM)
            #expect(await second.waitForExit(timeout: .seconds(20)) == 0)
        }
    }

    /// The restarted build's data files are those of an undisturbed build of the same input and seed.
    func checkFinished(_ h: RecipeHarness, build: Int) async throws {
        #expect(try await h.tasks(build).allSatisfy { $0.state == .completed })
        let calm = try #require(try await h.submit(KnowTuningEndToEndTests.spec(name: "kt-calm"), file: "calm.yaml").buildID)
        #expect(try await h.run(until: [calm]))
        let (killed, _) = try await h.export(build, "killed")
        let (undisturbed, _) = try await h.export(calm, "undisturbed")
        for file in ["sft.jsonl", "dpo.jsonl", "llama_factory/ranking.jsonl"] {
            let left = try Data(contentsOf: killed.appendingPathComponent(file))
            let right = try Data(contentsOf: undisturbed.appendingPathComponent(file))
            #expect(!left.isEmpty && left == right, "\(file)")
        }
    }
}
