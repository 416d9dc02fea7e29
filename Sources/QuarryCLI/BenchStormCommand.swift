import ArgumentParser
import Foundation
import QuarryPostgres
import QuarryQueue
import QuarrySimulator

/// `quarry bench storm`: worker processes with no `rpm` configured against a server that answers bare
/// 429s (no Retry-After) above its limit; measures how fast the pool's request rate comes down to the
/// server's limit and what share of requests are refused once it has.
struct BenchStormCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storm",
        abstract: "429 storm: worker processes without an rpm against a server that sends 429s without Retry-After.",
        discussion: """
            Starts the simulator with a provider limit of --limit-rpm per API key, answering bare 429s (no \
            Retry-After, no x-ratelimit-* headers) above it, and --latency-ms per answer; enqueues --tasks llm.chat \
            tasks and runs --workers worker processes (× --concurrency) whose endpoint has no rpm (unless --endpoint-rpm). Samples the \
            simulator every second and prints the pool's request rate and 429 share per --window seconds, the \
            first window at or under 1.2 × the limit, and the rate and 429 share from --settle seconds to the end, \
            as ratios of the server's limit (the baseline).
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The server's limit, requests per minute (its bucket holds one minute's worth).") var limitRpm = 600
    @Option(help: "Worker processes.") var workers = 4
    @Option(help: "Concurrency per worker.") var concurrency = 32
    @Option(help: "Simulator latency per answer, in milliseconds.") var latencyMs = 50.0
    @Option(help: "Seconds to measure.") var seconds = 90
    @Option(help: "Seconds after which the pool should have settled (the issue's goal: 30).") var settle = 30
    @Option(help: "Seconds per printed window.") var window = 5
    @Option(help: "Tasks to enqueue (enough that the queue never drains).") var tasks = 20_000
    @Option(help: "An rpm for the endpoint in the workers' endpoints file (default: none), e.g. one above the server's real limit.")
    var endpointRpm: Int?

    func validate() throws {
        if let endpointRpm, endpointRpm <= 0 { throw ValidationError("--endpoint-rpm must be positive") }
        guard limitRpm > 0, workers > 0, concurrency > 0, seconds > settle, settle > 0, window > 0, tasks > 0 else {
            throw ValidationError("--limit-rpm, --workers, --concurrency, --window and --tasks must be positive, and --seconds > --settle > 0")
        }
    }

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        let schema = "bench_storm_\(Int(Date().timeIntervalSince1970))"
        let url = database.databaseURL ?? ProcessInfo.processInfo.environment["QUARRY_DATABASE_URL"] ?? ""
        let home = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("quarry-\(schema)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent("logs"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }

        var simulation = SimulatorConfiguration()
        simulation.latency = .fixed(ms: latencyMs)
        simulation.rpm = limitRpm
        simulation.rateLimitRetryAfter = false
        let simulator = Simulator(configuration: simulation)
        let port = try await simulator.start()
        let endpointsPath = home.appendingPathComponent("storm.endpoints.yaml").path
        try """
            endpoints:
              - name: gateway
                base_url: http://127.0.0.1:\(port)/v1
                model: sim-small
                max_in_flight: \(concurrency)
                timeout_seconds: 30
            \(endpointRpm.map { "    rpm: \($0)\n" } ?? "")
            """.write(toFile: endpointsPath, atomically: true, encoding: .utf8)

        var children: [ChildProcess] = []
        func stopAll() async {
            for child in children { child.signal(SIGTERM) }
            for child in children { _ = await child.waitForExit(timeout: .seconds(30)) }
            await simulator.stop()
        }
        do {
            try await database.withPool(role: "bench", maxConnections: 2) { pool in
                try await PostgresMigrator(pool: pool, schema: schema, migrations: try MigrationsLocator.load(explicit: nil)).migrate()
                let queue = TaskQueue(pool: pool, configuration: QueueConfiguration(schema: schema))
                let build = try await queue.createBuild(name: "bench-storm")
                _ = try await queue.enqueueCopy(buildID: build, count: tasks) { index in
                    NewTask(
                        kind: "llm.chat", family: .generation, key: "t\(index)",
                        payload: #"{"endpoint": "gateway", "max_tokens": 16, "messages": [{"role": "user", "content": "storm request \#(index)"}]}"#,
                        maxAttempts: 5)
                }
                let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
                simulator.resetStats()
                for index in 0..<workers {
                    children.append(
                        try ChildProcess(
                            executable,
                            [
                                "worker", "--database-url", url, "--schema", schema, "--endpoints", endpointsPath, "--concurrency",
                                String(concurrency), "--no-cache", "--log-level", "warning",
                            ],
                            outputPath: home.appendingPathComponent("logs/worker-\(index + 1).log").path))
                }
                let started = ContinuousClock.now
                var samples: [(requests: Int, refused: Int)] = []
                var previous = (requests: 0, refused: 0)
                for second in 1...seconds {
                    try await Task.sleep(until: started + .seconds(second), clock: .continuous)
                    let stats = simulator.stats
                    let requests = stats.requestsByStatus.values.reduce(0, +)
                    let refused = stats.requestsByStatus["429"] ?? 0
                    samples.append((requests - previous.requests, refused - previous.refused))
                    previous = (requests, refused)
                }
                let attempts = try await pool.query("SELECT count(*) AS n FROM \(identifier: schema).task_attempts")[0].decode(Int.self, "n")
                let completed = try await pool.query(
                    "SELECT count(*) AS n FROM \(identifier: schema).tasks WHERE state = 'completed'")[0].decode(Int.self, "n")
                await stopAll()
                report(samples, attempts: attempts, completed: completed)
                try await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
            }
        } catch {
            await stopAll()
            throw error
        }
    }

    private func report(_ samples: [(requests: Int, refused: Int)], attempts: Int, completed: Int) {
        let limit = Double(limitRpm) / 60
        let configured = endpointRpm.map { "endpoint rpm \($0)" } ?? "no rpm configured"
        print("429 storm: \(workers) workers × \(concurrency), \(configured); server limit \(limitRpm)/min = "
            + "\(BenchSupport.format(limit))/s, bare 429s above it, \(Int(latencyMs)) ms per answer")
        print("  window      requests/s  × limit  429 share")
        var firstWithin: Int?
        for start in stride(from: 0, to: samples.count, by: window) {
            let slice = samples[start..<min(samples.count, start + window)]
            let requests = slice.reduce(0) { $0 + $1.requests }
            let refused = slice.reduce(0) { $0 + $1.refused }
            let rate = Double(requests) / Double(slice.count)
            if firstWithin == nil, rate <= 1.2 * limit { firstWithin = start + slice.count }
            print(String(format: "  %3d–%3d s  %10.1f  %7.2f  %8.1f %%", start, start + slice.count, rate, rate / limit,
                         requests > 0 ? 100 * Double(refused) / Double(requests) : 0))
        }
        let settled = samples[settle...]
        let requests = settled.reduce(0) { $0 + $1.requests }
        let refused = settled.reduce(0) { $0 + $1.refused }
        let rate = Double(requests) / Double(settled.count)
        print("  first window at ≤ 1.2 × the limit ended at \(firstWithin.map { "\($0) s" } ?? "never") (goal: ≤ \(settle) s)")
        print(String(format: "  from %d s to %d s: %.2f requests/s = %.2f × the limit (goal ≤ 1.2), 429s %.1f %% of %d requests (goal < 5 %%)",
                     settle, samples.count, rate, rate / limit, requests > 0 ? 100 * Double(refused) / Double(requests) : 0, requests))
        print("  tasks completed: \(completed); task_attempts rows: \(attempts) (snoozes are counted on the task; every 20th is logged)")
    }
}
