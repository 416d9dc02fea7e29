import ArgumentParser
import Foundation
import QuarryPostgres
import QuarryQueue

struct BenchQueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Enqueue N no-op tasks, work them with K worker processes, and compare with the raw-SQL ceiling (pgbench).",
        discussion: """
            Phases: (1) enqueue N tasks through COPY; (2) K `quarry worker` processes work them (rate from the \
            database's own timestamps, first claim to last completion); (3) with the workers idle, single tasks \
            are enqueued one at a time and enqueue→start latency is read from the same timestamps; (4) pgbench \
            runs the same claim and complete statements with no Quarry code on a fresh batch of N tasks, with K \
            clients and batches of --batch.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Tasks to work.") var tasks = 100_000
    @Option(help: "Worker processes (and pgbench clients).") var workers = 4
    @Option(help: "Concurrency per worker process.") var concurrency = 200
    @Option(help: "Claim batch of the raw-SQL baseline.") var batch = 50
    @Option(help: "Single enqueues for the latency phase.") var latencySamples = 100

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        let schema = "bench_\(Int(Date().timeIntervalSince1970))"
        let url = database.databaseURL ?? ProcessInfo.processInfo.environment["QUARRY_DATABASE_URL"] ?? ""
        try await database.withPool(role: "bench", maxConnections: 4) { pool in
            try await PostgresMigrator(pool: pool, schema: schema, migrations: try MigrationsLocator.load(explicit: nil)).migrate()
            let queue = TaskQueue(pool: pool, configuration: QueueConfiguration(schema: schema, notifyDebounce: .milliseconds(100)))
            func scalar(_ query: PostgresQuery) async throws -> Double {
                try await pool.query(query)[0].decode(Double?.self, at: 0) ?? 0
            }

            // (1) Enqueue.
            let build = try await queue.createBuild(name: "bench-queue")
            let enqueueStart = ContinuousClock.now
            let count = tasks
            try await queue.enqueueCopy(buildID: build, count: count) { NewTask(kind: "noop", family: .generation, key: "t\($0)") }
            let enqueueRate = Double(count) / BenchSupport.seconds(ContinuousClock.now - enqueueStart)
            print("enqueue (COPY): \(BenchSupport.format(enqueueRate)) tasks/s")

            // (2) Work them with K processes.
            let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
            var arguments = ["worker", "--schema", schema, "--kinds", "noop", "--concurrency", String(concurrency), "--log-level", "warning"]
            if !url.isEmpty { arguments += ["--database-url", url] }
            let children = try (0..<workers).map { _ in try ChildProcess(executable, arguments) }
            while try await scalar("SELECT count(*)::float8 FROM \(identifier: schema).results") < Double(count) {
                try await Task.sleep(for: .milliseconds(200))
            }
            let workSeconds = try await scalar(
                "SELECT extract(epoch FROM max(finished_at) - min(started_at))::float8 FROM \(identifier: schema).tasks WHERE build_id = \(build)")
            let workedRate = Double(count) / workSeconds
            print("worked by \(workers) quarry workers: \(BenchSupport.format(workedRate)) tasks/s (\(String(format: "%.2f", workSeconds)) s)")

            // (3) Latency with idle workers: one task at a time, spaced past the NOTIFY debounce.
            let latencyBuild = try await queue.createBuild(name: "bench-latency")
            try await Task.sleep(for: .milliseconds(500))
            for index in 0..<latencySamples {
                try await queue.enqueue(buildID: latencyBuild, [NewTask(kind: "noop", family: .generation, key: "l\(index)")])
                try await Task.sleep(for: .milliseconds(150))
            }
            while try await scalar("SELECT count(*)::float8 FROM \(identifier: schema).tasks WHERE build_id = \(latencyBuild) AND state = 'completed'") < Double(latencySamples) {
                try await Task.sleep(for: .milliseconds(100))
            }
            let p50 = try await scalar(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at) * 1000)::float8 FROM \(identifier: schema).tasks WHERE build_id = \(latencyBuild)")
            let p99 = try await scalar(
                "SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at) * 1000)::float8 FROM \(identifier: schema).tasks WHERE build_id = \(latencyBuild)")
            print("enqueue→start with idle workers: p50 \(String(format: "%.2f", p50)) ms, p99 \(String(format: "%.2f", p99)) ms")
            children.forEach { $0.signal(SIGTERM) }
            for child in children { _ = await child.waitForExit(timeout: .seconds(30)) }

            // (4) The raw-SQL ceiling: the same statements from pgbench, no Quarry code.
            let rawBuild = try await queue.createBuild(name: "bench-raw")
            try await queue.enqueueCopy(buildID: rawBuild, count: count) { NewTask(kind: "noop", family: .generation, key: "r\($0)") }
            let script = NSTemporaryDirectory() + "quarry-bench-\(schema).sql"
            try Self.pgbenchScript(schema: schema, batch: batch).write(toFile: script, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: script) }
            let perClient = count / (batch * workers) + 2
            var command = [BenchSupport.tool("pgbench"), "-n", "-M", "extended", "-c", String(workers), "-j", String(workers), "-t", String(perClient), "-f", script]
            if !url.isEmpty { command.append(url) }
            let (status, output) = try ChildProcess.run(command)
            guard status == 0 else { throw ValidationError("pgbench failed: \(output)") }
            let rawSeconds = try await scalar(
                "SELECT extract(epoch FROM max(finished_at) - min(started_at))::float8 FROM \(identifier: schema).tasks WHERE build_id = \(rawBuild) AND state = 'completed'")
            let rawDone = try await scalar("SELECT count(*)::float8 FROM \(identifier: schema).tasks WHERE build_id = \(rawBuild) AND state = 'completed'")
            let rawRate = rawDone / rawSeconds
            print("raw SQL ceiling (pgbench, \(workers) clients, batches of \(batch)): \(BenchSupport.format(rawRate)) tasks/s")
            print("")
            print("summary: enqueue \(BenchSupport.format(enqueueRate))/s; worked \(BenchSupport.format(workedRate))/s = "
                + "\(String(format: "%.2f", workedRate / rawRate)) x raw ceiling \(BenchSupport.format(rawRate))/s; "
                + "latency p50 \(String(format: "%.2f", p50)) ms p99 \(String(format: "%.2f", p99)) ms")
            try await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        }
    }

    /// The claim and complete statements workers run (`QueueStatements`, the very text `TaskQueue` binds
    /// values to), as a pgbench script: the claimed ids and lease tokens pass from one to the other in
    /// psql variables, and every task completes with an empty output, as a no-op task does.
    static func pgbenchScript(schema: String, batch: Int) -> String {
        let statements = QueueStatements(schema: schema)
        let claim = QueueStatements.substituting(statements.claim, ["'pgbench'", "\(batch)", "30000", "NULL", "NULL", "NULL"])
        let complete = QueueStatements.substituting(statements.complete, [
            "'pgbench'", ":ids::bigint[]", ":tokens::bigint[]",
            "array_fill('{}'::text, ARRAY[cardinality(:ids::bigint[])])", "array_fill(NULL::text, ARRAY[cardinality(:ids::bigint[])])",
        ])
        return """
            SELECT coalesce(array_agg(id), '{}')::text AS ids, coalesce(array_agg(lease_token), '{}')::text AS tokens FROM (\(claim)) claimed \\gset
            SELECT count(*) FROM (\(complete)) completed;

            """
    }
}
