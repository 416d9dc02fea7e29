import ArgumentParser
import Foundation
import QuarryLLM
import QuarryPostgres
import QuarryQueue
import QuarryRecipes
import QuarrySimulator

struct BenchPQACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pqa",
        abstract: "A personalized_qa build with two generator endpoints, each with its own rate limit, timed beside the endpoint-bound minimum.",
        discussion: """
            Makes --questions questions from the bundled personalized_qa example (numbered so each is distinct) and \
            runs them × 4 variants × 2 generators against three simulators: generator `gpt` allowed --gpt-rpm, generator \
            `phi` allowed --phi-rpm, and the judge allowed --judge-rpm, each simulator enforcing the same limit as its \
            endpoint (no injected faults, so every 429 is a limit the client overran). The endpoint-bound minimum is \
            the slowest endpoint's successful requests ÷ its allowed rate; the figure is wall time ÷ that minimum \
            (target ≤ 1.2), and each endpoint's share of 429s (target < 2 %).
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Questions in the build (each gets 4 variants × 2 generators).") var questions = 2_000
    @Option(help: "Worker processes.") var workers = 2
    @Option(help: "Concurrency per worker.") var concurrency = 64
    @Option(help: "Requests per minute the gpt generator endpoint allows.") var gptRpm = 12_000
    @Option(help: "Requests per minute the phi generator endpoint allows.") var phiRpm = 6_000
    @Option(help: "Requests per minute the judge endpoint allows.") var judgeRpm = 60_000
    @Option(help: "Simulator latency in milliseconds.") var latencyMs = 200.0

    struct Side {
        var name: String
        var rpm: Int
        var simulator: Simulator
    }

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        let scratch = try BenchSupport.scratch("bench_pqa", database: database)
        let (schema, url, home) = (scratch.schema, scratch.url, scratch.home)
        defer { try? FileManager.default.removeItem(at: home) }

        guard let examplePath = RecipeExamples.specPath(for: PersonalizedQARecipe()) else { throw ValidationError("bundled examples are missing") }
        let examples = try String(
            contentsOfFile: URL(fileURLWithPath: examplePath).deletingLastPathComponent().appendingPathComponent("questions.jsonl").path, encoding: .utf8
        ).split(separator: "\n")
        var lines: [String] = []
        for index in 0..<questions {
            guard var object = try JSONSerialization.jsonObject(with: Data(examples[index % examples.count].utf8)) as? [String: Any] else { continue }
            object["id"] = "q\(index)"
            object["title"] = "\(object["title"] ?? "") (\(index))"
            object["body"] = "\(object["body"] ?? "") <p>Question \(index).</p>"
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        }
        try (lines.joined(separator: "\n") + "\n").write(to: home.appendingPathComponent("questions.jsonl"), atomically: true, encoding: .utf8)
        try """
            name: bench-personalized-qa
            recipe: personalized_qa
            input: {path: questions.jsonl, format: jsonl, fields: {tags: user_tags, best_answer: accepted_answer}}
            endpoints: {generator: gpt, judge: judge}
            parameters: {generators: "gpt, phi"}
            seed: 7
            no_cache: true

            """.write(to: home.appendingPathComponent("bench.build.yaml"), atomically: true, encoding: .utf8)

        func simulator(rpm: Int, seed: UInt64) -> Simulator {
            var configuration = SimulatorConfiguration()
            configuration.latency = .fixed(ms: latencyMs)
            configuration.hallucinationRate = 0.35
            configuration.rpm = rpm
            configuration.seed = seed
            return Simulator(configuration: configuration)
        }
        let sides = [
            Side(name: "gpt", rpm: gptRpm, simulator: simulator(rpm: gptRpm, seed: 1)),
            Side(name: "phi", rpm: phiRpm, simulator: simulator(rpm: phiRpm, seed: 2)),
            Side(name: "judge", rpm: judgeRpm, simulator: simulator(rpm: judgeRpm, seed: 3)),
        ]
        try await sides[0].simulator.withRunning { gpt in
            try await sides[1].simulator.withRunning { phi in
                try await sides[2].simulator.withRunning { judge in
                    try await benchmark(sides: sides, ports: [gpt, phi, judge], home: home, schema: schema, url: url)
                }
            }
        }
    }

    private func benchmark(sides: [Side], ports: [Int], home: URL, schema: String, url: String) async throws {
        let endpointsPath = home.appendingPathComponent("bench.endpoints.yaml").path
        var endpoints = "endpoints:\n"
        for (side, port) in zip(sides, ports) {
            endpoints += """
                  - name: \(side.name)
                    base_url: http://127.0.0.1:\(port)/v1
                    model: sim-small
                    rpm: \(side.rpm)
                    max_in_flight: \(concurrency)
                    timeout_seconds: 30

                """
        }
        try endpoints.write(toFile: endpointsPath, atomically: true, encoding: .utf8)

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
            let counts = try await queue.stageCounts(buildID: buildID)
            print("")
            print("personalized_qa build of \(report.loaded) questions × 4 variants × 2 generators, \(workers) workers × \(concurrency), latency \(Int(latencyMs)) ms:")
            print("  tasks by kind: \(counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; "))")
            var slowest = (name: "", seconds: 0.0)
            for side in sides {
                let stats = side.simulator.stats
                let ok = stats.requestsByStatus["200"] ?? 0
                let limited = stats.requestsByStatus["429"] ?? 0
                let minimum = Double(ok) / (Double(side.rpm) / 60)
                if minimum > slowest.seconds { slowest = (side.name, minimum) }
                let share = stats.totalRequests == 0 ? 0 : Double(limited) / Double(stats.totalRequests) * 100
                print("  \(side.name): \(side.rpm) rpm, \(ok) answered 200, \(limited) 429s (\(String(format: "%.2f", share)) % of \(stats.totalRequests); target < 2 %), "
                    + "endpoint-bound minimum \(String(format: "%.1f", minimum)) s, achieved \(String(format: "%.0f", Double(ok) / wall * 60)) rpm")
            }
            print("  wall time \(String(format: "%.1f", wall)) s vs the slowest endpoint's (\(slowest.name)) minimum \(String(format: "%.1f", slowest.seconds)) s: "
                + "ratio \(String(format: "%.2f", wall / slowest.seconds)) (target ≤ 1.2)")
            try await pool.query("DROP SCHEMA \(identifier: schema) CASCADE")
        }
    }
}
