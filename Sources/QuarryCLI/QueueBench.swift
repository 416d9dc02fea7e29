import ArgumentParser
import Foundation
import QuarryPostgres
import QuarryQueue

/// The phases of `quarry bench queue` on one schema: a measurement (enqueue, worked rate, latency, raw-SQL
/// ceiling, CPU per task of each side), the backlog filler with its plan check, and the enqueue comparison
/// with `psql \copy`.
struct QueueBench {
    let command: BenchQueueCommand
    let pool: PostgresPool
    let queue: TaskQueue
    let schema: String
    let url: String

    /// One measurement's figures; CPU figures are seconds per task (nil when not measurable here).
    struct Figures {
        var label: String
        var enqueueRate: Double
        var workedRate: Double
        var p50: Double
        var p99: Double
        var rawRate: Double
        /// The workers' CPU per task, not counting their start-up (`workerStartup`, seconds per process).
        var workerCPU: Double?
        var workerStartup: Double?
        /// pgbench's client CPU per task: with the ids aggregated on the server, and receiving every row.
        var pgbenchCPU: Double
        var pgbenchRowsCPU: Double
        /// The kernel's part (system time) of the three CPU figures above.
        var workerSystemCPU: Double?
        var pgbenchSystemCPU: Double
        var pgbenchRowsSystemCPU: Double
        var databaseCPUWorked: Double?
        var databaseCPURaw: Double?

        var summary: String {
            func micros(_ seconds: Double?) -> String { seconds.map { String(format: "%.1f µs", $0 * 1e6) } ?? "n/a" }
            var lines = [
                "  \(label): enqueue \(BenchSupport.format(enqueueRate))/s; worked \(BenchSupport.format(workedRate))/s = "
                    + "\(String(format: "%.2f", workedRate / rawRate)) x raw ceiling \(BenchSupport.format(rawRate))/s (goal >= 0.8); "
                    + "enqueue→start p50 \(String(format: "%.2f", p50)) ms p99 \(String(format: "%.2f", p99)) ms",
                "    CPU per task: workers \(micros(workerCPU)) vs pgbench client \(micros(pgbenchCPU))"
                    + (workerCPU.map { " = \(String(format: "%.2f", $0 / pgbenchCPU)) x (goal <= 1.5)" } ?? "")
                    + "; vs a pgbench client receiving the claimed rows \(micros(pgbenchRowsCPU))"
                    + (workerCPU.map { " = \(String(format: "%.2f", $0 / pgbenchRowsCPU)) x" } ?? ""),
                "    of which in the kernel: workers \(micros(workerSystemCPU)), pgbench client \(micros(pgbenchSystemCPU)), "
                    + "the one receiving the rows \(micros(pgbenchRowsSystemCPU))",
                "    database CPU per task: \(micros(databaseCPUWorked)) under the workers vs \(micros(databaseCPURaw)) under pgbench"
                    + (workerStartup.map { String(format: "; each worker's start-up (not counted): %.0f ms", $0 * 1000) } ?? ""),
            ]
            if let workerCPU, let databaseCPUWorked {
                let total = workerCPU + databaseCPUWorked
                lines.append("    share of the workers' run's CPU: workers \(String(format: "%.0f", 100 * workerCPU / total)) %, "
                    + "database \(String(format: "%.0f", 100 * databaseCPUWorked / total)) %")
            }
            return lines.joined(separator: "\n")
        }
    }

    func scalar(_ query: PostgresQuery) async throws -> Double {
        try await pool.query(query)[0].decode(Double?.self, at: 0) ?? 0
    }

    /// The cluster's postmaster when the server runs on this machine.
    func postmaster() async throws -> pid_t? {
        try await pool.withConnection { connection in
            let backend = try await connection.query("SELECT pg_backend_pid()")[0].decode(Int.self, at: 0)
            return ProcessCPU.postmaster(ofBackend: pid_t(backend))
        }
    }

    /// One measurement of every phase with `count` tasks (default `--tasks`) and `latencySamples` single
    /// enqueues (default `--latency-samples`).
    func measure(label: String, postmaster: pid_t?, count: Int? = nil, latencySamples: Int? = nil) async throws -> Figures {
        let count = count ?? command.tasks, workers = command.workers
        print("== \(label)")
        // (1) K worker processes start and register before there is work, so their start-up CPU (the
        // runtime, connecting, registering) is read separately and not counted per task.
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        var arguments = ["worker", "--schema", schema, "--kinds", "noop", "--concurrency", String(command.concurrency), "--log-level", "warning"]
        if !url.isEmpty { arguments += ["--database-url", url] }
        let children = try (0..<workers).map { _ in try ChildProcess(executable, arguments) }
        let pids = children.map { Int($0.pid) }
        while try await scalar("SELECT count(*)::float8 FROM \(identifier: schema).workers WHERE pid = ANY(\(pids)) AND state = 'alive'") < Double(workers) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let startupSeconds = children.map { ProcessCPU.seconds(of: $0.pid) }
        let startupSystemSeconds = children.map { ProcessCPU.systemSeconds(of: $0.pid) }

        // (2) Enqueue.
        let build = try await queue.createBuild(name: "bench-queue")
        let enqueueStart = ContinuousClock.now
        try await queue.enqueueCopy(buildID: build, count: count) { NewTask(kind: "noop", family: .generation, key: "t\($0)") }
        let enqueueRate = Double(count) / BenchSupport.seconds(ContinuousClock.now - enqueueStart)
        print("enqueue (COPY): \(BenchSupport.format(enqueueRate)) tasks/s")

        // (3) The workers work them; their CPU is read from /proc once the last result is in.
        let databaseBefore = postmaster.flatMap(ProcessCPU.clusterSeconds)
        // Polled from the count ledger: counting the build's results would scan a table as long as the run,
        // five times a second, taking the database's CPU from the workers being measured.
        while try await queue.stageCounts(buildID: build)["noop"]?["completed", default: 0] ?? 0 < count {
            try await Task.sleep(for: .milliseconds(200))
        }
        let workerSeconds = children.map { ProcessCPU.seconds(of: $0.pid) }
        let workerSystemSeconds = children.map { ProcessCPU.systemSeconds(of: $0.pid) }
        let databaseWorked = postmaster.flatMap(ProcessCPU.clusterSeconds).flatMap { after in databaseBefore.map { after - $0 } }
        let workSeconds = try await scalar(
            "SELECT extract(epoch FROM max(finished_at) - min(started_at))::float8 FROM \(identifier: schema).tasks WHERE build_id = \(build)")
        let workedRate = Double(count) / workSeconds
        print("worked by \(workers) quarry workers: \(BenchSupport.format(workedRate)) tasks/s (\(String(format: "%.2f", workSeconds)) s)")
        var workerCPU: Double?, startupCPU: Double?, workerSystemCPU: Double?
        let before = startupSeconds.compactMap { $0 }, after = workerSeconds.compactMap { $0 }
        if before.count == workers, after.count == workers {
            startupCPU = before.reduce(0, +) / Double(workers)
            workerCPU = (after.reduce(0, +) - before.reduce(0, +)) / Double(count)
        }
        let systemBefore = startupSystemSeconds.compactMap { $0 }, systemAfter = workerSystemSeconds.compactMap { $0 }
        if systemBefore.count == workers, systemAfter.count == workers {
            workerSystemCPU = (systemAfter.reduce(0, +) - systemBefore.reduce(0, +)) / Double(count)
        }

        // (4) Latency with idle workers: one task at a time, spaced past the NOTIFY debounce.
        let latencyBuild = try await queue.createBuild(name: "bench-latency")
        try await Task.sleep(for: .milliseconds(500))
        let samples = latencySamples ?? command.latencySamples
        for index in 0..<samples {
            try await queue.enqueue(buildID: latencyBuild, [NewTask(kind: "noop", family: .generation, key: "l\(index)")])
            try await Task.sleep(for: .milliseconds(150))
        }
        while try await scalar("SELECT count(*)::float8 FROM \(identifier: schema).tasks WHERE build_id = \(latencyBuild) AND state = 'completed'") < Double(samples) {
            try await Task.sleep(for: .milliseconds(100))
        }
        let p50 = try await scalar(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at) * 1000)::float8 FROM \(identifier: schema).tasks WHERE build_id = \(latencyBuild)")
        let p99 = try await scalar(
            "SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at) * 1000)::float8 FROM \(identifier: schema).tasks WHERE build_id = \(latencyBuild)")
        print("enqueue→start with idle workers: p50 \(String(format: "%.2f", p50)) ms, p99 \(String(format: "%.2f", p99)) ms")
        children.forEach { $0.signal(SIGTERM) }
        for child in children { _ = await child.waitForExit(timeout: .seconds(30)) }

        // (5) The raw-SQL ceiling: the same statements from pgbench, no Quarry code, its client passing only
        // ids and tokens. (6) The like-for-like client: pgbench receiving every claimed row, for its CPU.
        let raw = try await runPgbench(
            BenchQueueCommand.pgbenchScript(schema: schema, batch: command.baselineBatch), count: count, postmaster: postmaster, name: "raw")
        print("raw SQL ceiling (pgbench, \(workers) clients, batches of \(command.baselineBatch)): \(BenchSupport.format(raw.rate)) tasks/s")
        let rows = try await runPgbench(
            BenchQueueCommand.pgbenchRowsScript(schema: schema, batch: command.baselineBatch), count: count, postmaster: postmaster, name: "rows")
        print("pgbench receiving the claimed rows: \(BenchSupport.format(rows.rate)) tasks/s, client \(String(format: "%.2f", rows.clientCPU * 1e6)) µs per task")
        return Figures(
            label: label, enqueueRate: enqueueRate, workedRate: workedRate, p50: p50, p99: p99, rawRate: raw.rate,
            workerCPU: workerCPU, workerStartup: startupCPU, pgbenchCPU: raw.clientCPU, pgbenchRowsCPU: rows.clientCPU,
            workerSystemCPU: workerSystemCPU, pgbenchSystemCPU: raw.clientSystemCPU, pgbenchRowsSystemCPU: rows.clientSystemCPU,
            databaseCPUWorked: databaseWorked.map { $0 / Double(count) }, databaseCPURaw: raw.databaseCPU)
    }

    /// Runs `script` under pgbench (K clients) on a fresh build of `count` no-op tasks. Its client CPU is its
    /// rusage, the only child reaped between the two readings; rates come from the database's timestamps.
    private func runPgbench(
        _ scriptText: String, count: Int, postmaster: pid_t?, name: String
    ) async throws -> (rate: Double, clientCPU: Double, clientSystemCPU: Double, databaseCPU: Double?) {
        let workers = command.workers
        let build = try await queue.createBuild(name: "bench-\(name)")
        try await queue.enqueueCopy(buildID: build, count: count) { NewTask(kind: "noop", family: .generation, key: "r\($0)") }
        let script = NSTemporaryDirectory() + "quarry-bench-\(schema)-\(name).sql"
        try scriptText.write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let perClient = count / (command.baselineBatch * workers) + 2
        var pgbench = [BenchSupport.tool("pgbench"), "-n", "-M", "extended", "-c", String(workers), "-j", String(workers), "-t", String(perClient), "-f", script]
        if !url.isEmpty { pgbench.append(url) }
        let databaseBefore = postmaster.flatMap(ProcessCPU.clusterSeconds)
        let clientBefore = ProcessCPU.reapedChildrenSeconds()
        let clientSystemBefore = ProcessCPU.reapedChildrenSystemSeconds()
        let (status, output) = try ChildProcess.run(pgbench)
        let clientSeconds = ProcessCPU.reapedChildrenSeconds() - clientBefore
        let clientSystemSeconds = ProcessCPU.reapedChildrenSystemSeconds() - clientSystemBefore
        let database = postmaster.flatMap(ProcessCPU.clusterSeconds).flatMap { after in databaseBefore.map { after - $0 } }
        guard status == 0 else { throw ValidationError("pgbench failed: \(output)") }
        let seconds = try await scalar(
            "SELECT extract(epoch FROM max(finished_at) - min(started_at))::float8 FROM \(identifier: schema).tasks WHERE build_id = \(build) AND state = 'completed'")
        let done = try await scalar("SELECT count(*)::float8 FROM \(identifier: schema).tasks WHERE build_id = \(build) AND state = 'completed'")
        guard done > 0, seconds > 0 else { throw ValidationError("pgbench (\(name)) completed no tasks: \(output)") }
        return (done / seconds, clientSeconds / done, clientSystemSeconds / done, database.map { $0 / done })
    }

    /// Fills the table with `rows` finished tasks of their own build in one INSERT (as the table owner, like
    /// an old build's history), then vacuums and analyses it as autovacuum would have by then.
    func fillBacklog(_ rows: Int) async throws {
        let build = try await queue.createBuild(name: "bench-backlog")
        let started = ContinuousClock.now
        try await pool.query(
            """
            INSERT INTO \(identifier: schema).tasks (build_id, family, kind, key, state, attempt, lease_token, created_at, started_at, finished_at)
            SELECT \(build), 'generation', 'noop', 'b' || g, 'completed', 1, 1, now(), now(), now() FROM generate_series(1, \(rows)) g
            """)
        try await queue.foldCounts()
        try await pool.query("VACUUM (ANALYZE) \(identifier: schema).tasks")
        print("backlog: \(rows) finished tasks inserted and vacuumed in \(String(format: "%.1f", BenchSupport.seconds(ContinuousClock.now - started))) s")
    }

    /// The monitoring views over the backlog: none may scan tasks (the counting views read the ledger, the
    /// others their partial indexes). Prints each view's plan verdict and execution time.
    func checkViewPlans() async throws {
        let views = ["queue_depth", "build_progress", "throughput", "oldest_waiting", "dead_tasks", "worker_status", "unserved_work"]
        var problems: [String] = []
        for view in views {
            let plan = try await pool.query("EXPLAIN (ANALYZE, TIMING OFF) SELECT * FROM \(identifier: schema).\(identifier: view)")
                .map { try $0.decode(String.self, at: 0) }
            let scansTasks = plan.contains { $0.contains("Seq Scan on tasks") }
            let time = plan.last { $0.hasPrefix("Execution Time") } ?? ""
            print("  view \(view): \(scansTasks ? "SCANS tasks" : "no scan of tasks") (\(time))")
            if scansTasks { problems.append(view + ":\n" + plan.joined(separator: "\n")) }
        }
        if !problems.isEmpty { print("views that scan tasks over the backlog:\n" + problems.joined(separator: "\n")) }
    }

    /// Quarry's `enqueueCopy` beside `psql \copy` of the same rows (same columns, a build each) into the same
    /// table, alternating which goes first; returns the mean rate of each side. psql reads a file written
    /// before its clock starts; Quarry's side includes making its rows, as `enqueueCopy` does in use.
    func compareEnqueue(rows: Int, rounds: Int) async throws -> (quarry: Double, psql: Double) {
        var quarryRates: [Double] = [], psqlRates: [Double] = []
        let file = NSTemporaryDirectory() + "quarry-bench-enqueue-\(schema).tsv"
        defer { try? FileManager.default.removeItem(atPath: file) }
        for round in 1...rounds {
            let quarryBuild = try await queue.createBuild(name: "bench-enqueue-quarry")
            let psqlBuild = try await queue.createBuild(name: "bench-enqueue-psql")
            var text = ""
            text.reserveCapacity(rows * 40)
            for index in 0..<rows { text += "\(psqlBuild)\tnoop\tgeneration\te\(index)\t{}\t0\t5\n" }
            try text.write(toFile: file, atomically: false, encoding: .utf8)
            for side in round % 2 == 1 ? [true, false] : [false, true] {
                let started = ContinuousClock.now
                if side {
                    try await queue.enqueueCopy(buildID: quarryBuild, count: rows) { NewTask(kind: "noop", family: .generation, key: "e\($0)") }
                    quarryRates.append(Double(rows) / BenchSupport.seconds(ContinuousClock.now - started))
                } else {
                    var psql = [BenchSupport.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
                    if !url.isEmpty { psql.append(url) }
                    psql += ["-c", "\\copy \(schema).tasks (build_id, kind, family, key, payload, priority, max_attempts) FROM '\(file)'"]
                    let (status, output) = try ChildProcess.run(psql)
                    guard status == 0 else { throw ValidationError("psql \\copy failed: \(output)") }
                    psqlRates.append(Double(rows) / BenchSupport.seconds(ContinuousClock.now - started))
                }
            }
            print("enqueue round \(round): Quarry COPY \(BenchSupport.format(quarryRates.last ?? 0))/s, psql \\copy \(BenchSupport.format(psqlRates.last ?? 0))/s")
        }
        return (quarryRates.reduce(0, +) / Double(rounds), psqlRates.reduce(0, +) / Double(rounds))
    }
}
