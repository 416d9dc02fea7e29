import Foundation
import QuarryPostgres
import QuarryTestSupport
import Testing

/// The `quarry` executable given unknown ids, an unmigrated schema and absurd durations.
@Suite("quarry commands refuse what they cannot do")
struct CommandHardeningTests {
    static func quarry(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try ChildProcess.run([TestDatabase.quarryExecutable] + arguments, environment: ["QUARRY_DATABASE_URL": TestDatabase.connectionString])
    }

    @Test("unknown build and task ids are errors (non-zero exit), not reported successes", .timeLimit(.minutes(2)))
    func unknownIDs() async throws {
        let pool = TestDatabase.pool(maxConnections: 1)
        let schema = try await TestDatabase.migratedSchema(pool: pool, prefix: "cli")
        await pool.close()
        for command in [
            ["cancel", "999999"], ["cancel", "--task", "999999"], ["prune", "999999"], ["pause", "999999"], ["resume", "999999"],
            ["retry-dead", "999999"], ["status", "999999"],
        ] {
            let (status, output) = try Self.quarry(command + ["--schema", schema])
            #expect(status != 0, "\(command) exited 0: \(output)")
            #expect(output.contains("999999"), "\(command): \(output)")
        }
    }

    @Test("`quarry status BUILD` shows that build's sections, recent errors included", .timeLimit(.minutes(2)))
    func statusOfOneBuild() async throws {
        let pool = TestDatabase.pool(maxConnections: 1)
        let schema = try await TestDatabase.migratedSchema(pool: pool, prefix: "cli")
        let build = try await pool.query("INSERT INTO \(identifier: schema).builds (name) VALUES ('one') RETURNING id")[0].decode(Int.self, "id")
        try await pool.query(
            """
            INSERT INTO \(identifier: schema).task_attempts (task_id, attempt, build_id, kind, error_class, message)
            VALUES (1, 1, \(build), 'noop', 'http_500', 'upstream broke')
            """)
        await pool.close()
        let (status, output) = try Self.quarry(["status", String(build), "--schema", schema])
        #expect(status == 0, "\(output)")
        #expect(output.contains("Errors (last hour)") && output.contains("upstream broke"), "\(output)")
    }

    @Test("`quarry recipes` lists every recipe with its roles, input fields and parameters; an unknown one is named", .timeLimit(.minutes(1)))
    func recipes() throws {
        let (status, output) = try Self.quarry(["recipes"])
        #expect(status == 0, "\(output)")
        for expected in ["rag4rag:", "roles:", "generator", "input fields:", "passage (required, retrievable)", "parameters:", "top_k = 3"] {
            #expect(output.contains(expected), "missing \(expected): \(output)")
        }
        let (unknown, said) = try Self.quarry(["recipes", "nosuch"])
        #expect(unknown != 0)
        #expect(said.contains("unknown recipe 'nosuch'"), "\(said)")
        let (demo, demoSaid) = try Self.quarry(["demo", "--recipe", "nosuch"])
        #expect(demo != 0)
        #expect(demoSaid.contains("unknown recipe 'nosuch'") && demoSaid.contains("quarry recipes"), "\(demoSaid)")
    }

    @Test("`quarry demo --spec` with a mistake in the spec names the line and starts nothing", .timeLimit(.minutes(1)))
    func demoChecksTheSpecFirst() throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("quarry-demo-spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"{"instruction": "a", "output": "b"}\n"#.utf8).write(to: folder.appendingPathComponent("in.jsonl"))
        let spec = folder.appendingPathComponent("bad.yaml")
        try Data("name: x\nrecipe: knowtuning\ninput: {path: in.jsonl}\nendpoints: {generator: sim, scorer: sim, judge: sim}\nparameters: {alpha: 2}\n".utf8)
            .write(to: spec)
        let home = folder.appendingPathComponent("home").path
        let (status, output) = try ChildProcess.run([TestDatabase.quarryExecutable, "demo", "--spec", spec.path, "--home", home])
        #expect(status != 0 && status < 128, "\(output)")
        #expect(output.contains("bad.yaml:5") && output.contains("alpha"), "\(output)")
        #expect(!output.contains("starting a private PostgreSQL cluster"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: home), "nothing was created")
    }

    @Test("a worker or coordinator started before `quarry migrate` stops at once and says to run it", .timeLimit(.minutes(2)))
    func notMigrated() throws {
        let schema = TestDatabase.uniqueSchema("empty")
        for command in [
            ["worker", "--concurrency", "1", "--schema", schema], ["coordinator", "--schema", schema], ["status", "--schema", schema],
        ] {
            let (status, output) = try Self.quarry(command)
            #expect(status != 0, "\(command) exited 0")
            #expect(output.contains("run `quarry migrate`"), "\(command): \(output.suffix(1500))")
        }
    }

    @Test("huge or tiny durations are refused when the options are parsed, naming the range")
    func durationRanges() throws {
        for arguments in [
            ["worker", "--lease-seconds", "1e300"], ["worker", "--lease-seconds", "0.01"], ["worker", "--heartbeat-seconds", "nan"],
            ["worker", "--shutdown-grace", "1e300"], ["coordinator", "--progress-seconds", "1e300"],
            ["prune-cache", "--older-than", "1e300d"],
        ] {
            let (status, output) = try Self.quarry(arguments)
            #expect(status != 0 && status < 128, "\(arguments) exited \(status): \(output.suffix(500))")
            #expect(output.contains("must be"), "\(arguments): \(output.suffix(500))")
        }
    }
}
