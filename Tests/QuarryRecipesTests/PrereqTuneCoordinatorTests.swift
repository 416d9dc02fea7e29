import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryRecipes
import QuarryTestSupport
import Testing

@Suite("prereq_tune under a killed coordinator", .serialized)
struct PrereqTuneCoordinatorTests {
    typealias Kind = PrereqTuneRecipe.Kind

    func coordinator(_ h: RecipeHarness, _ processes: ChildProcesses) throws -> ChildProcess {
        try processes.start(
            TestDatabase.quarryExecutable,
            ["coordinator", "--database-url", TestDatabase.connectionString, "--schema", h.schema, "--progress-seconds", "0.5",
             "--lease-seconds", "5", "--heartbeat-seconds", "1"])
    }

    @Test("kill -9 mid-build, restart: no duplicate task or result, every chain expanded once, the build completes", .timeLimit(.minutes(6)))
    func killAndRestart() async throws {
        try await RecipeHarness.with(simulator: {
            $0.hallucinationRate = 0.2
            $0.latency = .fixed(ms: 40)
        }) { h in
            try await withChildProcesses { processes in
                let input = try h.write("persons.jsonl", try PrereqFixtures.jsonl(try PrereqFixtures.names("bio_skill_dev.json", count: 30)))
                let build = try #require(try await h.submit(PrereqFixtures.spec(name: "prereq-kill", input: input, parameters: "versions: 5")).buildID)
                let worker = Worker(queue: h.queue, handlers: h.handlers(), configuration: WorkerConfiguration(concurrency: 32, runRescuer: true))
                let second = try await whileRunning(worker) {
                    let first = try coordinator(h, processes)
                    let started = try await eventually(timeout: .seconds(60), every: .milliseconds(20)) {
                        if let status = first.exitStatusIfExited() {
                            Issue.record("quarry coordinator exited (\(status)): \(first.output)")
                            return true
                        }
                        return try await h.kinds(build)[Kind.verify.name, default: 0] > 0
                    }
                    #expect(started)
                    first.signal(SIGKILL)
                    #expect(await first.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
                    #expect(try await h.queue.build(build)?.state == .active, "killed mid-build, not after it")
                    let second = try coordinator(h, processes)
                    #expect(try await eventually(timeout: .seconds(180), every: .milliseconds(200)) { try await h.queue.build(build)?.state == .completed })
                    worker.requestShutdown()
                    return second
                }

                let tasks = try await h.tasks(build)
                #expect(tasks.allSatisfy { $0.state == .completed })
                #expect(Set(tasks.map(\.key)).count == tasks.count)
                #expect(
                    try await h.count(
                        "SELECT count(*) FROM \(identifier: h.schema).results r JOIN \(identifier: h.schema).tasks t ON t.id = r.task_id WHERE t.build_id = \(build)")
                        == tasks.count)
                // Each parent's children are exactly what the graph makes of its output: K writings per named
                // entity, one verification chain per entity, one regeneration per failed version, one passage per newly passed one.
                let kinds = try await h.kinds(build)
                let named = try tasks.filter { $0.kind == Kind.entity.name }.filter { try decodeJSON(PrereqEntity.self, $0.output ?? "").named }.count
                #expect(kinds[Kind.entity.name] == 30)
                #expect(kinds[Kind.biography.name] == 5 * named)
                #expect(kinds[Kind.verify.name] == 30 && kinds[Kind.reverify(1).name] == 30 && kinds[Kind.reverify(2).name] == 30)
                var failed = 0
                var passed = 0
                for task in tasks where task.kind == Kind.verify.name || task.kind.hasPrefix("prereq.reverify.") {
                    let verification = try decodeJSON(PrereqTuneRecipe.Verification.self, try #require(task.output))
                    if verification.level < 2 { failed += verification.failed.count }
                    passed += verification.passedNow.count
                }
                #expect(kinds[Kind.regenerate.name, default: 0] == failed)
                #expect(kinds[Kind.passage.name, default: 0] == passed)
                let byID = Dictionary(uniqueKeysWithValues: tasks.map { ($0.taskID, $0) })
                #expect(tasks.filter { $0.kind != Kind.entity.name }.allSatisfy { task in
                    task.parentID.flatMap { byID[$0] }.map { task.key.hasPrefix($0.key + "/") } ?? false
                })

                let (folder, manifest) = try await h.export(build, "final")
                #expect(!manifest.partial)
                let entities = try jsonLines(folder.appendingPathComponent("entities.jsonl"), as: PrereqRows.Entity.self)
                #expect(entities.map(\.position) == Array(1...30))
                second.signal(SIGTERM)
                #expect(await second.waitForExit(timeout: .seconds(20)) == 0)
            }
        }
    }
}
