import Foundation
import QuarryPostgres
import QuarryQueue
import QuarrySimulator
import QuarryTestSupport
import Testing

/// `quarry submit`'s preflight and `quarry wait`, run as a user would: the built executable.
@Suite("quarry submit preflight and quarry wait")
struct GatewayCommandTests {
    /// A migrated schema of the test's own and a simulator that wants key `sk-good` and answers other keys
    /// with a gateway's 400; always torn down.
    func withSetup(_ body: (_ schema: String, _ queue: TaskQueue, _ baseURL: String) async throws -> Void) async throws {
        let pool = TestDatabase.pool(maxConnections: 2)
        var configuration = SimulatorConfiguration()
        configuration.requiredAPIKey = "sk-good"
        configuration.authFailureStyle = .gateway400
        configuration.logLevel = .critical
        let simulator = Simulator(configuration: configuration)
        do {
            let schema = try await TestDatabase.migratedSchema(pool: pool, prefix: "cli")
            let port = try await simulator.start()
            try await body(schema, TaskQueue(pool: pool, configuration: QueueConfiguration(schema: schema)), "http://127.0.0.1:\(port)/v1")
            await simulator.stop()
            await pool.close()
        } catch {
            await simulator.stop()
            await pool.close()
            throw error
        }
    }

    /// Runs the executable without blocking a thread: the simulator answering it lives in this process.
    func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let child = try ChildProcess(
            TestDatabase.quarryExecutable, arguments,
            environment: ["GOOD_KEY": "sk-good", "BAD_KEY": "sk-bad", "QUARRY_DATABASE_URL": TestDatabase.connectionString])
        defer { unlink(child.outputPath) }
        let status = await child.waitForExit(timeout: .seconds(60))
        return (status ?? -1, child.output)
    }

    func quarry(_ arguments: [String], schema: String) async throws -> (status: Int32, output: String) {
        try await run(arguments + ["--database-url", TestDatabase.connectionString, "--schema", schema])
    }

    @Test("submit refuses an unknown model, a bad key and an unreachable URL with one clear line, creating no build")
    func preflightRefuses() async throws {
        try await withSetup { schema, queue, baseURL in
            let folder = NSTemporaryDirectory() + "quarry-preflight-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let endpoints = folder + "/endpoints.yaml"
            try """
                endpoints:
                  - {name: good, base_url: "\(baseURL)", model: sim-small, api_key_env: GOOD_KEY}
                  - {name: typo, base_url: "\(baseURL)", model: sim-smal, api_key_env: GOOD_KEY}
                  - {name: badkey, base_url: "\(baseURL)", model: sim-small, api_key_env: BAD_KEY}
                  - {name: down, base_url: "http://127.0.0.1:9/v1", model: sim-small, api_key_env: GOOD_KEY}

                """.write(toFile: endpoints, atomically: true, encoding: .utf8)
            let passages = TestDatabase.repositoryRoot.appendingPathComponent("Sources/QuarryRecipes/Examples/passages.jsonl").path
            func spec(_ endpoint: String) throws -> String {
                let path = folder + "/\(endpoint).build.yaml"
                try """
                    name: preflight-\(endpoint)
                    recipe: rag4rag
                    input: {path: \(passages), format: jsonl, fields: {passage: text, topic: title, id: id}}
                    endpoints: {generator: \(endpoint), judge: \(endpoint)}

                    """.write(toFile: path, atomically: true, encoding: .utf8)
                return path
            }
            let expected = [
                "typo": "error: endpoint 'typo' (\(baseURL)): FAILED HTTP 200: model 'sim-smal' is not among the 2 model(s) /models lists",
                "badkey": "error: endpoint 'badkey' (\(baseURL)): FAILED HTTP 400: No connected db.",
                "down": "error: endpoint 'down' (http://127.0.0.1:9/v1): FAILED unreachable (connect_failed)",
            ]
            for (endpoint, line) in expected.sorted(by: { $0.key < $1.key }) {
                let (status, output) = try await quarry(["submit", try spec(endpoint), "--endpoints", endpoints], schema: schema)
                #expect(status == 1, "\(endpoint): \(output)")
                #expect(output.contains(line), "\(endpoint): \(output)")
                #expect(output.contains("nothing was submitted"))
                #expect(!output.contains("sk-bad") && !output.contains("sk-good"))
            }
            #expect(try await queue.builds().isEmpty, "no build row for a refused submit")
            let (status, output) = try await quarry(["submit", try spec("good"), "--endpoints", endpoints, "--quiet"], schema: schema)
            #expect(status == 0, "\(output)")
            #expect(try await queue.builds().count == 1)
            let skipped = try await quarry(["submit", try spec("badkey"), "--endpoints", endpoints, "--no-preflight", "--quiet"], schema: schema)
            #expect(skipped.status == 0, "--no-preflight submits anyway: \(skipped.output)")
            let check = try await run(["endpoints", "check", "--endpoints", endpoints, "good", "badkey"])
            #expect(check.status == 1)
            #expect(check.output.contains("endpoint 'good' (\(baseURL)): ok"))
            #expect(check.output.contains("endpoint 'badkey' (\(baseURL)): FAILED HTTP 400: No connected db."))
        }
    }

    @Test("quarry wait exits 0 for completed, and non-zero for completed_with_errors, failed, cancelled, paused and a timeout")
    func waitExitCodes() async throws {
        try await withSetup { schema, queue, _ in
            func build(_ state: BuildState) async throws -> Int {
                let id = try await queue.createBuild(name: state.rawValue)
                try await queue.pool.query(
                    "UPDATE \(identifier: schema).builds SET state = \(state.rawValue), state_reason = 'test' WHERE id = \(id)")
                return id
            }
            let cases: [(BuildState, [String], Int32)] = [
                (.completed, [], 0), (.completedWithErrors, [], 2), (.completedWithErrors, ["--allow-errors"], 0), (.failed, [], 3),
                (.cancelled, [], 4), (.paused, ["--fail-on-pause"], 5), (.active, ["--timeout-seconds", "1"], 6),
            ]
            for (state, flags, code) in cases {
                let id = try await build(state)
                let (status, output) = try await quarry(["wait", String(id)] + flags, schema: schema)
                #expect(status == code, "\(state.rawValue) \(flags): \(output)")
            }
            // It blocks while the build runs and returns when it ends.
            let running = try await build(.active)
            let waiting = try ChildProcess(
                TestDatabase.quarryExecutable,
                ["wait", String(running), "--every-seconds", "0.2", "--database-url", TestDatabase.connectionString, "--schema", schema])
            #expect(await waiting.waitForExit(timeout: .milliseconds(800)) == nil, "still waiting while the build is active")
            try await queue.pool.query("UPDATE \(identifier: schema).builds SET state = 'completed' WHERE id = \(running)")
            #expect(await waiting.waitForExit(timeout: .seconds(20)) == 0, "\(waiting.output)")
            #expect(waiting.output.contains("build \(running) completed"))
        }
    }
}
