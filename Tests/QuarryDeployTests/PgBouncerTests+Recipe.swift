import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Testing

@testable import QuarryCLI

/// A recipe build (the README's rag4rag example over 60 passages) against the simulator, every Quarry
/// process configured only by environment as in deploy/: QUARRY_DATABASE_URL through PgBouncer,
/// QUARRY_LISTEN_DATABASE_URL direct. LLM usage, the response cache and the coordinator's expansions all
/// go through the pooler. Part of the serialized PgBouncer suite, so its processes never overlap the others'.
extension PgBouncerTests {
    @Test("rag4rag through PgBouncer: submit, coordinator, 2 workers (one killed with -9): the build completes, one result per task", .timeLimit(.minutes(5)))
    func recipeBuild() async throws {
        try await TestPgBouncer.with { bouncer in
            let directory = NSTemporaryDirectory() + "quarry-bouncer-recipe-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let simulator = try ChildProcess(
                TestDatabase.quarryExecutable, ["simulate", "--host", "127.0.0.1", "--port", "0", "--latency", "300"])
            defer { simulator.signal(SIGKILL) }
            var port = 0
            let listening = await eventually(timeout: .seconds(30)) {
                guard let range = simulator.output.range(of: "listening on http://127.0.0.1:") else { return false }
                port = Int(simulator.output[range.upperBound...].prefix { $0.isNumber }) ?? 0
                return port > 0
            }
            try #require(listening, "simulator said: \(simulator.output)")
            let endpoints = directory + "/endpoints.yaml"
            // The endpoints file `quarry demo` writes for its simulator.
            try DemoCommand.simulatorEndpoints(port: port).write(toFile: endpoints, atomically: true, encoding: .utf8)
            let schema = TestDatabase.uniqueSchema("bouncerrecipe")
            let environment = [
                "QUARRY_DATABASE_URL": bouncer.url, "QUARRY_LISTEN_DATABASE_URL": TestDatabase.connectionString,
                "QUARRY_SCHEMA": schema, "QUARRY_ENDPOINTS": endpoints,
            ]
            let quarry = TestDatabase.quarryExecutable
            let migrated = try await ChildProcess.complete([quarry, "migrate"], environment: environment)
            try #require(migrated.status == 0, "migrate: \(migrated.output)")
            let spec = TestDatabase.repositoryRoot.appendingPathComponent("Sources/QuarryRecipes/Examples/demo.build.yaml").path
            let submitted = try await ChildProcess.complete([quarry, "submit", spec, "--quiet"], environment: environment)
            try #require(submitted.status == 0, "submit: \(submitted.output)")
            let build = try #require(submitted.output.split(separator: "\n").last.flatMap { Int($0) }, "submit said: \(submitted.output)")

            let workerArguments = ["worker", "--concurrency", "16", "--lease-seconds", "2", "--heartbeat-seconds", "0.5", "--shutdown-grace", "10"]
            let coordinator = try ChildProcess(
                quarry, ["coordinator", "--progress-seconds", "0", "--lease-seconds", "2", "--heartbeat-seconds", "0.5"], environment: environment)
            let victim = try ChildProcess(quarry, workerArguments, environment: environment)
            let survivor = try ChildProcess(quarry, workerArguments, environment: environment)
            let pool = TestDatabase.pool(maxConnections: 1)
            do {
                func count(_ sql: PostgresQuery) async throws -> Int { try await pool.query(sql)[0].decode(Int.self, at: 0) }
                let holding = try await eventually(timeout: .seconds(60)) {
                    let held = try await count(
                        "SELECT count(*) FROM \(identifier: schema).tasks WHERE state = 'running' AND lease_owner LIKE \("%:\(victim.pid):%")")
                    let results = try await count("SELECT count(*) FROM \(identifier: schema).results")
                    return held > 0 && results >= 10
                }
                #expect(holding, "the victim never held tasks: \(victim.output.suffix(2000))")
                victim.signal(SIGKILL)
                let completed = try await eventually(timeout: .seconds(200), every: .milliseconds(500)) {
                    try await pool.query("SELECT state FROM \(identifier: schema).builds WHERE id = \(build)")[0].decode(String.self, "state") == "completed"
                }
                #expect(completed, "coordinator said: \(coordinator.output.suffix(2000)) worker said: \(survivor.output.suffix(2000))")
                #expect(try await count("SELECT count(*) FROM \(identifier: schema).tasks WHERE state IN ('available', 'running')") == 0)
                let finished = try await count("SELECT count(*) FROM \(identifier: schema).tasks WHERE state = 'completed'")
                #expect(finished > 120, "60 passages through the graph")
                #expect(try await count("SELECT count(*) FROM \(identifier: schema).results") == finished)
                #expect(try await count("SELECT count(DISTINCT task_id) FROM \(identifier: schema).results") == finished)
                #expect(try await count("SELECT coalesce(sum(calls), 0)::bigint FROM \(identifier: schema).llm_usage") > 0, "usage recorded through the pooler")
                #expect(try await count("SELECT count(*) FROM \(identifier: schema).task_attempts WHERE error_class = 'lease_expired'") >= 1)
            } catch {
                await pool.close()
                throw error
            }
            await pool.close()
            for process in [coordinator, survivor] {
                process.signal(SIGTERM)
                #expect(await process.waitForExit(timeout: .seconds(30)) == 0, "said: \(process.output.suffix(2000))")
            }
        }
    }
}
