import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryRecipes
import QuarryTestSupport
import Testing

@Suite("quarry coordinator as a process", .serialized)
struct CoordinatorProcessTests {
    /// Starts a `quarry coordinator` process among `processes` (stopped, if still running, when the test ends).
    func coordinator(_ h: RecipeHarness, _ processes: ChildProcesses) throws -> ChildProcess {
        try processes.start(
            TestDatabase.quarryExecutable,
            ["coordinator", "--database-url", TestDatabase.connectionString, "--schema", h.schema, "--progress-seconds", "0.5",
             "--lease-seconds", "5", "--heartbeat-seconds", "1"])
    }

    @Test("kill -9 mid-build, restart: no duplicate tasks, the build completes", .timeLimit(.minutes(6)))
    func killAndRestart() async throws {
        try await RecipeHarness.with(simulator: {
            $0.hallucinationRate = 0.3
            $0.latency = .fixed(ms: 40)
        }) { h in
            try await withChildProcesses { processes in
                let build = try #require(try await h.submit(RecipeHarness.medquadSpec(name: "medquad-kill")).buildID)
                let worker = Worker(queue: h.queue, handlers: h.handlers(), configuration: WorkerConfiguration(concurrency: 32, runRescuer: true))
                let verify = Rag4RagRecipe.Kind.verify.name
                let (partialRows, second) = try await whileRunning(worker) {
                    let first = try coordinator(h, processes)
                    let started = try await eventually(timeout: .seconds(60), every: .milliseconds(20)) {
                        if let status = first.exitStatusIfExited() {
                            Issue.record("quarry coordinator exited (\(status)) — is CoordinatorCommand registered in QuarryCommand? \(first.output)")
                            return true
                        }
                        return try await h.kinds(build)[verify, default: 0] > 0
                    }
                    #expect(started)
                    first.signal(SIGKILL)
                    #expect(await first.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
                    #expect(try await h.queue.build(build)?.state == .active, "killed mid-build, not after it")

                    // With no coordinator nothing new is created: the tasks that exist finish, the build stays active.
                    #expect(try await eventually(timeout: .seconds(60)) {
                        try await h.count(
                            "SELECT count(*) FROM \(identifier: h.schema).tasks WHERE build_id = \(build) AND state IN ('available', 'running')") == 0
                    })
                    let stalled = try await h.kinds(build)
                    let (partialFolder, partial) = try await h.export(build, "partial")
                    #expect(try await h.kinds(build) == stalled)
                    #expect(partial.partial)
                    let partialRows = try jsonLines(partialFolder.appendingPathComponent("qa.jsonl"), as: Rag4RagQARow.self)

                    let second = try coordinator(h, processes)
                    let completed = try await eventually(timeout: .seconds(180), every: .milliseconds(200)) {
                        try await h.queue.build(build)?.state == .completed
                    }
                    #expect(completed)
                    worker.requestShutdown()
                    return (partialRows, second)
                }

                let kinds = try await h.kinds(build)
                let tasks = try await h.tasks(build)
                let unsupported = try tasks.filter { $0.kind == verify }.filter {
                    try decodeJSON(Rag4RagVerification.self, $0.output ?? "").verdict == Rag4RagVerdict.unsupported
                }.count
                #expect(kinds == [
                    Rag4RagRecipe.Kind.generate.name: 400, verify: 400, Rag4RagRecipe.Kind.regenerate.name: unsupported, Rag4RagRecipe.Kind.reverify.name: unsupported,
                ])
                #expect(tasks.allSatisfy { $0.state == .completed })
                #expect(Set(tasks.map(\.key)).count == tasks.count)
                #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).results r JOIN \(identifier: h.schema).tasks t ON t.id = r.task_id WHERE t.build_id = \(build)") == tasks.count)
                // Every child points at a parent of the kind before it, so no chain was expanded twice under another key.
                let byID = Dictionary(uniqueKeysWithValues: tasks.map { ($0.taskID, $0) })
                let orphans = tasks.filter { task in
                    guard task.kind != Rag4RagRecipe.Kind.generate.name else { return false }
                    guard let parent = task.parentID.flatMap({ byID[$0] }) else { return true }
                    return !task.key.hasPrefix(parent.key + "/")
                }
                #expect(orphans.isEmpty)

                // The partial export was a prefix of the work: the final one has every row it had, and more.
                let (finalFolder, final) = try await h.export(build, "final")
                #expect(!final.partial)
                let finalRows = try jsonLines(finalFolder.appendingPathComponent("qa.jsonl"), as: Rag4RagQARow.self)
                #expect(finalRows.count == 400 + unsupported)
                #expect(partialRows.count < finalRows.count)
                #expect(partialRows.allSatisfy { $0.arm == Rag4RagRecipe.Arm.rag || [.supported, .unsupported, .pending].contains($0.verdict) })

                second.signal(SIGTERM)
                #expect(await second.waitForExit(timeout: .seconds(20)) == 0)
                #expect(second.output.contains("build \(build) medquad-kill"), "progress lines: \(second.output.suffix(500))")
            }
        }
    }

    @Test("KnowTuning graph: kill -9 while it expands (fan-outs, predicated edges, joins), restart: no duplicates", .timeLimit(.minutes(8)))
    func killMidExpansionKnowTuning() async throws {
        typealias Kinds = KnowTuningRecipe.Kinds
        try await RecipeHarness.with(simulator: { $0.latency = .fixed(ms: 30) }) { h in
            _ = try h.write("qa.jsonl", KnowTuningEndToEndTests.input())
            try await withChildProcesses { processes in
                let build = try #require(try await h.submit(KnowTuningEndToEndTests.spec(name: "kt-kill")).buildID)
                let worker = Worker(queue: h.queue, handlers: h.handlers(), configuration: WorkerConfiguration(concurrency: 32, runRescuer: true))
                let second = try await whileRunning(worker) {
                    let first = try coordinator(h, processes)
                    // Killed once it has expanded extractions into scores and corruptions, well before the joins are done.
                    let started = try await eventually(timeout: .seconds(120), every: .milliseconds(20)) {
                        if let status = first.exitStatusIfExited() {
                            Issue.record("quarry coordinator exited (\(status)): \(first.output)")
                            return true
                        }
                        let kinds = try await h.kinds(build)
                        return kinds[Kinds.score.name, default: 0] > 0 && kinds[Kinds.rewrite.name, default: 0] == 0
                    }
                    #expect(started)
                    first.signal(SIGKILL)
                    #expect(await first.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
                    let second = try coordinator(h, processes)
                    #expect(try await eventually(timeout: .seconds(300), every: .milliseconds(200)) { try await h.queue.build(build)?.state.isFinished == true })
                    return second
                }
                let tasks = try await h.tasks(build)
                #expect(Set(tasks.map(\.key)).count == tasks.count, "no key twice")
                #expect(tasks.allSatisfy { $0.state == .completed || $0.state == .dead }, "every task ended")
                #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).results r JOIN \(identifier: h.schema).tasks t ON t.id = r.task_id WHERE t.build_id = \(build)") == tasks.filter { $0.state == .completed }.count)
                // Exactly one join per completed extraction, and every child under its parent's key.
                let extracted = tasks.filter { $0.kind == Kinds.extract.name && $0.state == .completed }.count
                #expect(tasks.filter { $0.kind == Kinds.select.name }.count == extracted)
                let byID = Dictionary(uniqueKeysWithValues: tasks.map { ($0.taskID, $0) })
                #expect(tasks.filter { task in
                    guard task.kind != Kinds.extract.name else { return false }
                    guard let parent = task.parentID.flatMap({ byID[$0] }) else { return true }
                    return !task.key.hasPrefix(parent.key + "/")
                }.isEmpty)
                second.signal(SIGTERM)
                #expect(await second.waitForExit(timeout: .seconds(20)) == 0)
            }
        }
    }
}
