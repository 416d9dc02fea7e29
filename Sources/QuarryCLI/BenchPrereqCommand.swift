import ArgumentParser
import Foundation
import QuarryLLM
import QuarryPostgres
import QuarryQueue
import QuarryRecipes
import QuarrySimulator

struct BenchPrereqCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prereq",
        abstract: "A prereq_tune build against the simulator, timed beside the endpoint-bound minimum.",
        discussion: """
            Makes --entities seed persons from the bundled prereq_tune example (numbered so each is distinct), starts \
            the simulator (fixed latency, 2% 429s, 1% 500s, 10% hallucinated answers, a provider limit of --rpm) and \
            an endpoint allowed --rpm, then runs a top-down build with --versions versions per entity and --workers \
            processes. The endpoint-bound minimum is the successful requests ÷ the allowed rate; the figure is wall \
            time ÷ that minimum.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Seed entities in the build.") var entities = 400
    @Option(help: "Knowledge versions per entity.") var versions = 5
    @Option(help: "Worker processes.") var workers = 4
    @Option(help: "Concurrency per worker.") var concurrency = 64
    @Option(help: "Requests per minute the endpoint allows (the simulator enforces it too).") var rpm = 12_000
    @Option(help: "Simulator latency in milliseconds.") var latencyMs = 200.0

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        let schema = "bench_prereq_\(Int(Date().timeIntervalSince1970))"
        let url = database.databaseURL ?? ProcessInfo.processInfo.environment["QUARRY_DATABASE_URL"] ?? ""
        let home = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("quarry-\(schema)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }

        guard let examplePath = RecipeExamples.specPath(for: PrereqTuneRecipe()) else { throw ValidationError("bundled examples are missing") }
        let examples = try String(contentsOfFile: URL(fileURLWithPath: examplePath).deletingLastPathComponent().appendingPathComponent("persons.jsonl").path, encoding: .utf8)
            .split(separator: "\n")
        var lines: [String] = []
        for index in 0..<entities {
            guard let object = try JSONSerialization.jsonObject(with: Data(examples[index % examples.count].utf8)) as? [String: Any] else { continue }
            let name = "\(object["name"] ?? "") \(index + 1)"
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: ["name": name], options: [.sortedKeys]), as: UTF8.self))
        }
        try (lines.joined(separator: "\n") + "\n").write(to: home.appendingPathComponent("persons.jsonl"), atomically: true, encoding: .utf8)
        try """
            name: bench-prereq-tune
            recipe: prereq_tune
            input: {path: persons.jsonl, format: jsonl, fields: {name: name}}
            endpoints: {generator: sim, judge: sim}
            parameters: {versions: \(versions)}
            seed: 7
            no_cache: true

            """.write(to: home.appendingPathComponent("bench.build.yaml"), atomically: true, encoding: .utf8)

        var simulation = SimulatorConfiguration()
        simulation.latency = .fixed(ms: latencyMs)
        simulation.faults = FaultRates(rateLimited: 0.02, serverError: 0.01)
        simulation.hallucinationRate = 0.1
        simulation.rpm = rpm
        simulation.seed = 7
        let simulator = Simulator(configuration: simulation)
        try await simulator.withRunning { port in
            try await benchmark(simulator: simulator, port: port, home: home, schema: schema, url: url)
        }
    }

    private func benchmark(simulator: Simulator, port: Int, home: URL, schema: String, url: String) async throws {
        let endpointsPath = home.appendingPathComponent("bench.endpoints.yaml").path
        try """
            endpoints:
              - name: sim
                base_url: http://127.0.0.1:\(port)/v1
                model: sim-small
                rpm: \(rpm)
                max_in_flight: \(concurrency)
                timeout_seconds: 30

            """.write(toFile: endpointsPath, atomically: true, encoding: .utf8)

        try await database.withPool(role: "bench", maxConnections: 4) { pool in
            try await PostgresMigrator(pool: pool, schema: schema, migrations: try MigrationsLocator.load(explicit: nil)).migrate()
            let queue = TaskQueue(pool: pool, configuration: QueueConfiguration(schema: schema))
            let plan = try BuildSpecParser(file: home.appendingPathComponent("bench.build.yaml").path, endpoints: try EndpointRegistry.load(path: endpointsPath))
                .parseFile()
            let report = try await BuildSubmitter(queue: queue).submit(plan)
            guard let buildID = report.buildID else { throw ValidationError("the build was not created") }
            let started = ContinuousClock.now
            try await BuildDriver(logs: home.appendingPathComponent("logs")).run(
                queue: queue, buildID: buildID, databaseURL: url, endpointsPath: endpointsPath, workers: workers,
                concurrency: concurrency, timeout: .seconds(3_600), progressEvery: .seconds(10)) { print($0) }
            let wall = BenchSupport.seconds(ContinuousClock.now - started)
            let stats = simulator.stats
            let ok = stats.requestsByStatus["200"] ?? 0
            let minimum = Double(ok) / (Double(rpm) / 60)
            let counts = try await queue.stageCounts(buildID: buildID)
            let state = try await queue.build(buildID)?.state.rawValue ?? "?"
            print("")
            print("prereq_tune build of \(entities) entities × \(versions) versions, \(workers) workers × \(concurrency), endpoint \(rpm) rpm, latency \(Int(latencyMs)) ms:")
            print("  build \(state); tasks by kind: \(counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; "))")
            print("  simulator: \(stats.totalRequests) requests, \(ok) answered 200, statuses \(stats.requestsByStatus.sorted { $0.key < $1.key })")
            print("  wall time \(String(format: "%.1f", wall)) s vs endpoint-bound minimum \(String(format: "%.1f", minimum)) s "
                + "(\(ok) requests ÷ \(rpm)/min): ratio \(String(format: "%.2f", wall / minimum)) (target ≤ 1.2)")
            try await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        }
    }
}
