import ArgumentParser
import Foundation
import QuarryLLM
import QuarryPostgres
import QuarryQueue
import QuarryRecipes
import QuarrySimulator

struct BenchBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "A recipe's build against the simulator, timed beside the endpoint-bound minimum; payload sizes; the coordinator's expansion rate.",
        discussion: """
            Makes --records input records by cycling --input (default: the recipe's bundled example input; rag4rag's \
            example passages are numbered so each is distinct, other recipes' records get " (copy N)" appended to \
            every text field after the first round), starts the simulator (fixed latency, 2% 429s, 1% 500s, a \
            provider limit of --rpm) and an endpoint allowed --rpm that every role of the recipe uses, then runs the \
            build with --workers processes. The endpoint-bound minimum is the successful requests ÷ the allowed \
            rate; the figure is wall time ÷ that minimum. It reports the largest and median task payload. Then it \
            times Coordinator expansion on a synthetic build shaped like KnowTuning's first stage: each completed \
            task fans out to one child per element of a four-element list, three children guarded by a numeric \
            predicate on a build parameter, and a join over the first kind (evaluated, not yet firing).
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The recipe (see `quarry recipes`).") var recipe = "rag4rag"
    @Option(help: "Input records in the build.") var records = 10_000
    @Option(help: "Records to cycle (JSON array or JSON Lines; default: the recipe's bundled example input).") var input: String?
    @Option(help: "Worker processes.") var workers = 4
    @Option(help: "Concurrency per worker.") var concurrency = 64
    @Option(help: "Requests per minute the endpoint allows (the simulator enforces it too).") var rpm = 12_000
    @Option(help: "Simulator latency in milliseconds.") var latencyMs = 200.0
    @Option(help: "Parents in the expansion benchmark (each gets seven children).") var expansionParents = 25_000
    @Option(help: "Seconds per line of the endpoint-and-queue timeline.") var timelineWindow = 5

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        let scratch = try BenchSupport.scratch("bench_build", database: database)
        let (schema, url, home) = (scratch.schema, scratch.url, scratch.home)
        defer { try? FileManager.default.removeItem(at: home) }

        let chosen = try RecipeCatalog.standard.recipe(named: recipe)
        guard let examplePath = RecipeExamples.specPath(for: chosen) else { throw ValidationError("the bundled example of '\(recipe)' is missing") }
        let example = try BenchInput.exampleSpec(at: examplePath)
        let source = input.map { URL(fileURLWithPath: $0) } ?? example.input
        let lines = try BenchInput.cycled(source, count: records, numberRag4Rag: chosen.name == Rag4RagRecipe().name)
        try (lines.joined(separator: "\n") + "\n").write(to: home.appendingPathComponent("records.jsonl"), atomically: true, encoding: .utf8)
        let spec = try BenchInput.spec(from: example.yaml, recipe: chosen)
        try spec.write(to: home.appendingPathComponent("bench.build.yaml"), atomically: true, encoding: .utf8)

        var simulation = SimulatorConfiguration()
        simulation.latency = .fixed(ms: latencyMs)
        simulation.faults = FaultRates(rateLimited: 0.02, serverError: 0.01)
        simulation.hallucinationRate = 0.3
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
            let plan = try BuildSpecParser(file: home.appendingPathComponent("bench.build.yaml").path, endpoints: try EndpointRegistry.load(path: endpointsPath)).parseFile()
            let submitStarted = ContinuousClock.now
            let report = try await BuildSubmitter(queue: queue).submit(plan)
            guard let buildID = report.buildID else { throw ValidationError("the build was not created") }
            let started = ContinuousClock.now
            // Sampled beside the build; the driver's error, if any, cancels the sampler with the group.
            let (wall, timeline) = try await withThrowingTaskGroup(of: BuildRateTimeline?.self) { group in
                group.addTask { await BuildRateTimeline.record(simulator: simulator, pool: pool, schema: schema, buildID: buildID) }
                try await BuildDriver(logs: home.appendingPathComponent("logs")).run(
                    queue: queue, buildID: buildID, databaseURL: url, endpointsPath: endpointsPath, workers: workers,
                    concurrency: concurrency, timeout: .seconds(3_600), progressEvery: .seconds(10)) { print($0) }
                let wall = BenchSupport.seconds(ContinuousClock.now - started)
                group.cancelAll()
                return (wall, try await group.next() ?? nil)
            }
            let submitSeconds = BenchSupport.seconds(started - submitStarted)
            let stats = simulator.stats
            let ok = stats.requestsByStatus["200"] ?? 0
            let minimum = Double(ok) / (Double(rpm) / 60)
            let counts = try await queue.stageCounts(buildID: buildID)
            print("")
            print("\(recipe) build of \(records) records, \(workers) workers × \(concurrency), endpoint \(rpm) rpm, latency \(Int(latencyMs)) ms:")
            print("  tasks by kind: \(counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; "))")
            print("  simulator: \(stats.totalRequests) requests, \(ok) answered 200, statuses \(stats.requestsByStatus.sorted { $0.key < $1.key })")
            print("  submit (validate + COPY \(report.loaded) records): \(String(format: "%.1f", submitSeconds)) s")
            print("  wall time \(String(format: "%.1f", wall)) s vs endpoint-bound minimum \(String(format: "%.1f", minimum)) s "
                + "(\(ok) requests ÷ \(rpm)/min): ratio \(String(format: "%.2f", wall / minimum)) (target ≤ 1.2)")
            let sizes = try await pool.query(
                """
                SELECT max(octet_length(payload::text)) AS largest,
                       percentile_disc(0.5) WITHIN GROUP (ORDER BY octet_length(payload::text)) AS median,
                       (SELECT max(octet_length(data::text)) FROM \(identifier: schema).records WHERE build_id = \(buildID)) AS largest_record,
                       (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY octet_length(data::text)) FROM \(identifier: schema).records
                        WHERE build_id = \(buildID)) AS median_record
                FROM \(identifier: schema).tasks WHERE build_id = \(buildID)
                """)[0]
            print("  payloads: largest \(try sizes.decode(Int.self, "largest")) B, median \(try sizes.decode(Int.self, "median")) B "
                + "(records: largest \(try sizes.decode(Int.self, "largest_record")) B, median \(try sizes.decode(Int.self, "median_record")) B)")
            for row in try await pool.query(
                """
                SELECT kind, max(octet_length(payload::text)) AS largest, percentile_disc(0.5) WITHIN GROUP (ORDER BY octet_length(payload::text)) AS median
                FROM \(identifier: schema).tasks WHERE build_id = \(buildID) GROUP BY kind ORDER BY kind
                """) {
                print("    \(try row.decode(String.self, "kind")): largest \(try row.decode(Int.self, "largest")) B, median \(try row.decode(Int.self, "median")) B")
            }
            // When each stage ran, from the build's first task: where a build waits (a barrier, a chain's tail).
            print("  timeline (seconds from the first task's creation: first created, first started, last finished):")
            for row in try await pool.query(
                """
                WITH t0 AS (SELECT min(created_at) AS at FROM \(identifier: schema).tasks WHERE build_id = \(buildID))
                SELECT kind, extract(epoch FROM min(created_at) - t0.at)::float8 AS created,
                       extract(epoch FROM min(started_at) - t0.at)::float8 AS started,
                       extract(epoch FROM max(finished_at) - t0.at)::float8 AS finished
                FROM \(identifier: schema).tasks, t0 WHERE build_id = \(buildID) GROUP BY kind, t0.at ORDER BY min(created_at), kind
                """) {
                let values = try ["created", "started", "finished"].map { String(format: "%.1f", try row.decode(Double?.self, $0) ?? .nan) }
                print("    \(try row.decode(String.self, "kind")): \(values.joined(separator: " / "))")
            }

            print("  endpoint and queue per \(timelineWindow) s (the allowed rate is \(BenchSupport.format(Double(rpm) / 60))/s):")
            for line in (timeline ?? BuildRateTimeline()).lines(allowedPerSecond: Double(rpm) / 60, window: timelineWindow) { print(line) }

            // Expansion: a synthetic build of completed parents with four parts each.
            try await Self.expansionBenchmark(queue: queue, pool: pool, parents: expansionParents)
            try await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        }
    }

    static func expansionBenchmark(queue: TaskQueue, pool: PostgresPool, parents: Int) async throws {
        let s = queue.configuration.schema
        let build = try await queue.createBuild(name: "bench-expansion", recipe: "bench")
        // Parents made and finished through the queue's own API, as a worker would: enqueued with COPY,
        // claimed in batches and completed with four parts each.
        _ = try await queue.enqueueCopy(buildID: build, count: parents) { NewTask(kind: "split", family: .generation, key: "r\($0)") }
        let output = TaskOutput(json: #"{"parts": ["first fact", "second fact", "third fact", "fourth fact"], "part_count": 4}"#)
        while true {
            let claimed = try await queue.claim(worker: "bench-expansion", limit: 5_000, kinds: ["split"])
            if claimed.isEmpty { break }
            _ = try await queue.settle(
                worker: "bench-expansion", claimed.map { TaskOutcome(taskID: $0.id, leaseToken: $0.leaseToken, kind: .completed(output)) })
        }
        // The build before this leaves these tables full of dead row versions and the new parents without
        // statistics; timing expansion while autovacuum catches up measured the database, not the coordinator
        // (9,782 children/s right after a 10,000-passage build, 34,157/s after a 1,000-passage one).
        try await pool.query("VACUUM (ANALYZE) \(identifier: s).tasks, \(identifier: s).results, \(identifier: s).task_attempts")
        let enough = GraphPredicate.compare(field: "part_count", .greaterOrEqual, .parameter("minimum"))
        let graph = BuildGraph(
            edges: [GraphEdge(from: "split", to: "part", family: .verification, fanOut: .each(field: "parts"))]
                + ["drop", "revise", "shuffle"].map { GraphEdge(from: "split", to: $0, family: .corruption, when: enough) },
            joins: [GraphJoin(parent: "split", children: ["part"], to: "select", family: .generation)],
            parameters: #"{"minimum": 2}"#)
        let started = ContinuousClock.now
        var children = 0
        while true {
            let report = try await queue.expand(buildID: build, graph: graph)
            if report.parentsExpanded == 0 { break }
            children += report.childrenCreated
        }
        let seconds = BenchSupport.seconds(ContinuousClock.now - started)
        print("  coordinator expansion: \(children) child tasks from \(parents) parents in \(String(format: "%.2f", seconds)) s = "
            + "\(BenchSupport.format(Double(children) / seconds)) children/s (target ≥ 20,000/s)")
    }
}
