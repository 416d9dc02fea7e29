import ArgumentParser
import Foundation
import Logging
import QuarryLLM
import QuarryPostgres
import QuarryQueue
import QuarryRecipes
import QuarrySimulator
import ServiceLifecycle

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a whole build end to end: the README's main command.",
        discussion: """
            With nothing configured it starts a private PostgreSQL cluster under .quarry/ (as the unprivileged \
            'postgres' user when run as root) and the simulated OpenAI-compatible endpoint (with rate limits, \
            server errors and 30% hallucinations), migrates, submits a rag4rag build over the 60 example passages \
            Quarry ships (or, with --recipe, that recipe's bundled example), runs the coordinator and --workers \
            worker processes, shows progress, exports the data and the report, and shuts everything down. With \
            --database-url and --endpoints (plus --spec whose roles name your endpoints) it runs the same build \
            against real services. `quarry recipes` lists the recipes.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Folder for the private PostgreSQL cluster, logs and generated files.")
    var home: String = ".quarry"

    @Option(help: "Where the exported files go (default: out/demo-BUILD).")
    var out: String?

    @Option(help: "Worker processes to start.")
    var workers = 3

    @Option(help: "Concurrency per worker process.")
    var concurrency = 32

    @Option(help: "Endpoints file for real services (default: start the simulator).")
    var endpoints: String?

    @Option(help: "Run this recipe's bundled example (see `quarry recipes`; default: rag4rag).")
    var recipe: String?

    @Option(help: "Build spec (default: the bundled example of --recipe).")
    var spec: String?

    @Option(help: "Simulator: share of generated answers with invented content.")
    var hallucinationRate = 0.3

    @Option(help: "Simulator: median latency in milliseconds (log-normal, p99 = 4 × median).")
    var latencyMs = 80.0

    @Option(help: "Give up after this many seconds.")
    var timeoutSeconds = 600.0

    @Option(help: "Folder of NNNN_name.sql files (default: QUARRY_MIGRATIONS or the nearest migrations/).")
    var migrations: String?

    func validate() throws {
        guard workers > 0, concurrency > 0 else { throw ValidationError("--workers and --concurrency must be at least 1") }
        guard (0...1).contains(hallucinationRate) else { throw ValidationError("--hallucination-rate must be between 0 and 1") }
        guard (1...86_400).contains(timeoutSeconds) else { throw ValidationError("--timeout-seconds must be between 1 and 86400") }
        guard (0...60_000).contains(latencyMs) else { throw ValidationError("--latency-ms must be between 0 and 60000") }
        guard recipe == nil || spec == nil else { throw ValidationError("--recipe picks a bundled example spec; with --spec, the spec names its recipe") }
        if let recipe {
            do {
                _ = try RecipeCatalog.standard.recipe(named: recipe)
            } catch {
                throw ValidationError("\(error.message); `quarry recipes` lists them")
            }
        }
    }

    /// The spec to run: --spec, else the bundled example of --recipe (rag4rag's by default).
    func specPath() throws -> String {
        if let spec { return spec }
        let chosen = try RecipeCatalog.standard.recipe(named: recipe ?? Rag4RagRecipe().name)
        guard let path = RecipeExamples.specPath(for: chosen) else {
            throw ValidationError("the bundled example of recipe '\(chosen.name)' is missing; pass --spec")
        }
        return path
    }

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        // The demo is one service, so Ctrl-C and SIGTERM take the same path as in every other command.
        try await ServiceRunner.run([DemoRun(command: self)], shutdownAllowance: .seconds(60), logger: Logger(label: "quarry.demo"))
    }

    /// The demo's steps, in order, each resource stopped when the steps after it end, however they end.
    func runDemo() async throws {
        // 0. The spec, against the endpoints it will run with, before anything is started: a typo in it
        // should cost a second, not a cluster's start and a migration first.
        let plannedEndpoints = try endpoints.map { try EndpointRegistry.load(path: $0) }
            ?? EndpointRegistry.parse(yaml: Self.simulatorEndpoints(port: 1), file: "(the simulator's endpoints)")
        _ = try BuildSpecParser(file: try specPath(), endpoints: plannedEndpoints).parseFile()

        let home = URL(fileURLWithPath: home).standardizedFileURL
        try FileManager.default.createDirectory(at: home.appendingPathComponent("logs"), withIntermediateDirectories: true)
        var database = database
        // 1. PostgreSQL: the configured one, or a private cluster.
        var cluster: PostgresCluster?
        if database.databaseURL == nil && ProcessInfo.processInfo.environment["QUARRY_DATABASE_URL"] == nil {
            let directory = home.appendingPathComponent("postgres")
            say("starting a private PostgreSQL cluster in \(directory.path)")
            let prepared = try PostgresCluster.prepare(at: directory)
            try prepared.start()
            cluster = prepared
            database.databaseURL = prepared.connectionString
        }
        defer {
            if let cluster {
                try? cluster.stop()
                say("stopped the private PostgreSQL cluster")
            }
        }
        // 2. Endpoints: the configured file, or the simulator.
        if let endpoints {
            try await runBuild(database: database, endpointsPath: endpoints, simulator: nil, home: home, privateCluster: cluster != nil)
            return
        }
        var configuration = SimulatorConfiguration()
        configuration.latency = .logNormal(p50Ms: latencyMs, p99Ms: latencyMs * 4)
        configuration.faults = FaultRates(rateLimited: 0.02, serverError: 0.01)
        configuration.hallucinationRate = hallucinationRate
        configuration.seed = 7
        let simulator = Simulator(configuration: configuration)
        try await simulator.withRunning { port in
            let endpointsPath = home.appendingPathComponent("demo.endpoints.yaml").path
            try Self.simulatorEndpoints(port: port).write(toFile: endpointsPath, atomically: true, encoding: .utf8)
            say("simulated endpoint on http://127.0.0.1:\(port)/v1 (2% 429s, 1% 500s, \(Int(hallucinationRate * 100))% hallucinations)")
            try await runBuild(database: database, endpointsPath: endpointsPath, simulator: simulator, home: home, privateCluster: cluster != nil)
        }
    }

    private func runBuild(database: DatabaseOptions, endpointsPath: String, simulator: Simulator?, home: URL, privateCluster: Bool) async throws {
        let registry = try EndpointRegistry.load(path: endpointsPath)
        let specPath = try specPath()
        let url = database.databaseURL ?? ProcessInfo.processInfo.environment["QUARRY_DATABASE_URL"] ?? ""
        try await database.withPool(role: "demo", maxConnections: 4) { pool in
            // 3. Schema, then the build.
            try await MigrateCommand.run(pool: pool, schema: database.schema, migrationsPath: migrations, statusOnly: false)
            let queue = TaskQueue(pool: pool, configuration: QueueConfiguration(schema: database.schema))
            let plan = try BuildSpecParser(file: specPath, endpoints: registry).parseFile()
            let used = Set(plan.spec.endpoints.values).sorted().compactMap { registry[$0] }
            for result in try await Preflight.run(used) {
                say(result.line)
                if !result.passed { throw ValidationError("endpoint '\(result.endpoint)' failed its preflight; nothing was submitted") }
            }
            let report = try await BuildSubmitter(queue: queue).submit(plan)
            print(report.text)
            guard let buildID = report.buildID else { throw ValidationError("the build was not created") }

            // 4. Coordinator here, workers as processes; progress until the build finishes.
            let started = ContinuousClock.now
            var driver = BuildDriver(logs: home.appendingPathComponent("logs"))
            if privateCluster {
                // The private cluster stops with the demo, so `quarry status` would find no server to ask.
                let folder = home.appendingPathComponent("postgres").path, homePath = home.path
                driver.whereBuildStays = { build in
                    "in the private cluster in \(folder), stopped with the demo; the next `quarry demo --home \(homePath)` starts it "
                        + "again, and its coordinator carries build \(build) on beside the new build"
                }
            }
            let ended = try await driver.run(
                queue: queue, buildID: buildID, databaseURL: url, endpointsPath: endpointsPath, workers: workers,
                concurrency: concurrency, timeout: .seconds(timeoutSeconds), say: say)
            let elapsed = ContinuousClock.now - started
            say(
                "build \(buildID) finished in \(String(format: "%.1f", BenchSupport.seconds(elapsed))) s: "
                    + ended.state.rawValue + (ended.stateReason.map { " (\($0))" } ?? ""))

            // 5. Export and report.
            let folder = URL(fileURLWithPath: out ?? "out/demo-\(buildID)").standardizedFileURL
            let manifest = try await BuildExporter(queue: queue).export(buildID: buildID, to: folder)
            let reportPath = folder.appendingPathComponent("report.json").path
            if let data = FileManager.default.contents(atPath: reportPath) {
                print(String(decoding: data, as: UTF8.self))
            }
            say("exported to \(folder.path):")
            for file in manifest.files { say("  \(file.name)  \(file.lines) lines  sha256 \(file.sha256.prefix(16))…") }
            if let simulator {
                let stats = simulator.stats
                say("simulator served \(stats.totalRequests) requests (\(stats.duplicateSuccessfulRequests) paid twice)")
            }
            if ended.state == .failed {
                throw ValidationError("build \(buildID) failed: \(ended.stateReason ?? "see quarry status \(buildID)")")
            }
        }
    }

    func say(_ line: String) {
        print("[demo] \(line)")
    }

    static func simulatorEndpoints(port: Int) -> String {
        """
        # Written by quarry demo: the simulated endpoint it started.
        endpoints:
          - name: sim
            base_url: http://127.0.0.1:\(port)/v1
            model: sim-small
            rpm: 6000
            max_in_flight: 64
            timeout_seconds: 30
            price_per_million_input: 0.15
            price_per_million_output: 0.60

        """
    }
}

/// `quarry demo` as a service of its command's `ServiceGroup`.
struct DemoRun: Service {
    let command: DemoCommand

    func run() async throws {
        try await command.runDemo()
    }
}
