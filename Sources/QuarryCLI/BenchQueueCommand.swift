import ArgumentParser
import Foundation
import QuarryPostgres
import QuarryQueue

struct BenchQueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Enqueue N no-op tasks, work them with K worker processes, and compare with the raw-SQL ceiling (pgbench).",
        discussion: """
            A warm-up round of N/4 tasks runs first and is not reported (--skip-warmup). \
            Phases: (1) K `quarry worker` processes start and register (their start-up CPU is read then and not \
            counted per task); (2) enqueue N tasks through COPY; the workers work them (rate from the database's own \
            timestamps, first claim to last completion; the workers' CPU from /proc once the last result is in); (3) with the workers idle, single tasks are enqueued one at a time and enqueue→start \
            latency is read from the same timestamps; (4) pgbench runs the same claim and complete statements \
            with no Quarry code on a fresh batch of N tasks, with K clients and batches of --batch (its CPU from \
            its rusage); its script passes the claimed ids from claim to complete as two arrays, so its client \
            never receives the tasks. (5) A second pgbench client that does receive every claimed row, as a \
            worker must, gives the like-for-like client CPU per task (its server work differs: it finds its \
            ids again with a query). The database's CPU in phases 2 and 4 is its postmaster's and backends' from /proc (when \
            the server runs on this machine). With --backlog, phases 1-4 run on the empty table, then the table \
            gets that many finished tasks, the monitoring views' plans are checked, and phases 1-4 run again. \
            Last, Quarry's COPY and `psql \\copy` load the same N rows into the tasks table, alternating.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Tasks to work.") var tasks = 100_000
    @Option(help: "Worker processes (and pgbench clients).") var workers = 4
    @Option(help: "Concurrency per worker process.") var concurrency = 200
    @Option(help: "Claim batch of the raw-SQL baseline (default: --concurrency, the most a worker claims at once).")
    var batch: Int?

    /// The baseline's claim batch: like for like with a worker, which claims up to its free slots.
    var baselineBatch: Int { batch ?? concurrency }
    /// 200 because the p50 of 50 moved by 0.2-0.3 ms between identical runs, more than the 10 % the backlog
    /// comparison allows; 200 take 30 s a phase.
    @Option(help: "Single enqueues for the latency phase, 150 ms apart.") var latencySamples = 200

    @Option(help: "Finished tasks to fill the table with before a second measurement (0: none). The empty table is measured first, then the backlog is added and everything is measured again.")
    var backlog = 0
    @Flag(help: "With --backlog, skip the measurement on the empty table.") var skipEmpty = false
    @Flag(help: "Skip the warm-up round (a quarter of --tasks, not reported) that runs before the first measurement.")
    var skipWarmup = false
    @Option(help: "Rounds of the enqueue comparison (Quarry's COPY beside psql \\copy, alternating order).") var enqueueRounds = 2

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        guard tasks > 0, workers > 0, concurrency > 0, baselineBatch > 0, backlog >= 0, enqueueRounds > 0 else {
            throw ValidationError("--tasks, --workers, --concurrency, --batch and --enqueue-rounds must be positive and --backlog not negative")
        }
        let schema = "bench_\(Int(Date().timeIntervalSince1970))"
        let url = database.databaseURL ?? ProcessInfo.processInfo.environment["QUARRY_DATABASE_URL"] ?? ""
        try await database.withPool(role: "bench", maxConnections: 4) { pool in
            try await PostgresMigrator(pool: pool, schema: schema, migrations: try MigrationsLocator.load(explicit: nil)).migrate()
            let queue = TaskQueue(pool: pool, configuration: QueueConfiguration(schema: schema, notifyDebounce: .milliseconds(100)))
            let bench = QueueBench(command: self, pool: pool, queue: queue, schema: schema, url: url)
            let postmaster = try await bench.postmaster()
            if postmaster == nil { print("database CPU: n/a (the server's processes are not visible on this machine)") }
            // The first phases on a fresh cluster run cold (no statistics yet, autovacuum's first passes, cold
            // caches): a quarter-size round first, not reported, so the empty table and the backlog are
            // compared warm. Without it the empty table measured 10-40 % slower than the backlog in every run.
            if !skipWarmup {
                _ = try await bench.measure(label: "warm-up (not reported)", postmaster: postmaster, count: max(1, tasks / 4), latencySamples: 5)
            }
            var measured: [QueueBench.Figures] = []
            if backlog == 0 || !skipEmpty {
                measured.append(try await bench.measure(label: "empty table", postmaster: postmaster))
            }
            if backlog > 0 {
                try await bench.fillBacklog(backlog)
                try await bench.checkViewPlans()
                measured.append(try await bench.measure(label: "backlog of \(backlog) finished tasks", postmaster: postmaster))
            }
            let (quarryEnqueue, psqlEnqueue) = try await bench.compareEnqueue(rows: tasks, rounds: enqueueRounds)
            print("")
            print("summary (\(tasks) no-op tasks, \(workers) workers x \(concurrency), pgbench \(workers) clients, batches of \(baselineBatch)):")
            for figures in measured { print(figures.summary) }
            print("  enqueue of \(tasks) rows, mean of \(enqueueRounds) rounds: Quarry COPY \(BenchSupport.format(quarryEnqueue))/s, "
                + "psql \\copy \(BenchSupport.format(psqlEnqueue))/s = \(String(format: "%.2f", quarryEnqueue / psqlEnqueue)) x psql (goal >= 0.8)")
            if measured.count == 2 {
                let (empty, full) = (measured[0], measured[1])
                print("  backlog / empty: worked \(String(format: "%.2f", full.workedRate / empty.workedRate)), "
                    + "raw ceiling \(String(format: "%.2f", full.rawRate / empty.rawRate)), "
                    + "p50 enqueue→start \(String(format: "%.2f", full.p50 / empty.p50)) (goal: within 10 %)")
            }
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

    /// A pgbench script whose client receives every claimed row, as a worker does (the ids-only script
    /// above lets the server aggregate them). pgbench cannot keep a result of many rows in variables, so
    /// the complete statement finds the client's running tasks again with a query over the lease index
    /// (`lease_until IS NOT NULL` is its predicate): the same client work as a worker's, a little more server
    /// work than the ids-only script.
    static func pgbenchRowsScript(schema: String, batch: Int) -> String {
        let statements = QueueStatements(schema: schema)
        let worker = "('pgbench-' || :client_id)"
        let claim = QueueStatements.substituting(statements.claim, [worker, "\(batch)", "30000", "NULL", "NULL", "NULL"])
        let held = "(SELECT coalesce(array_agg(id ORDER BY id), '{}') AS ids, coalesce(array_agg(lease_token ORDER BY id), '{}') AS tokens "
            + "FROM \(PostgresQuery.quoteIdentifier(schema)).tasks WHERE state = 'running' AND lease_until IS NOT NULL AND lease_owner = \(worker)) held"
        let complete = QueueStatements.substituting(statements.complete, [
            worker, "held.ids", "held.tokens",
            "array_fill('{}'::text, ARRAY[cardinality(held.ids)])", "array_fill(NULL::text, ARRAY[cardinality(held.ids)])",
        ])
        return """
            \(claim);
            SELECT count(*) FROM \(held), LATERAL (\(complete)) completed;

            """
    }
}
