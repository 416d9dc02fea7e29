import Foundation
import Logging
import QuarryLLM
import QuarryPostgres
import QuarryQueue
import QuarryRecipes
import QuarrySimulator
import QuarryTestSupport

/// A migrated schema of the test's own, a queue over it, a simulator on loopback, an LLM service with
/// one endpoint `sim` (or the endpoints a test names, all on the simulator), and helpers to submit, run and export builds in-process.
struct RecipeHarness: Sendable {
    let schema: String
    let pool: PostgresPool
    let queue: TaskQueue
    let simulator: Simulator
    let service: LLMService
    let registry: EndpointRegistry
    let folder: URL

    /// A harness for the duration of `body`: when `body` returns or throws, the LLM service is shut down,
    /// the simulator stopped, the schema dropped, the pool closed and the folder deleted.
    /// `endpoints` maps endpoint names to the model each asks the simulator for.
    static func with<T>(
        simulator configure: (inout SimulatorConfiguration) -> Void = { _ in }, endpoints: [String: String] = ["sim": "sim-small"],
        isolation: isolated (any Actor)? = #isolation, _ body: (RecipeHarness) async throws -> T
    ) async throws -> T {
        var configuration = SimulatorConfiguration()
        configure(&configuration)
        let harness = try await open(configuration, endpoints: endpoints)
        return try await withTearDown(of: harness, tearDown: { await $0.tearDown() }, body)
    }

    private static func open(_ configuration: SimulatorConfiguration, endpoints: [String: String]) async throws -> RecipeHarness {
        let (pool, schema) = try await TestDatabase.migratedPool(maxConnections: 10, prefix: "rec")
        let queue = TaskQueue(
            pool: pool,
            configuration: QueueConfiguration(
                schema: schema, leaseDuration: .seconds(5), heartbeatInterval: .seconds(1), flushInterval: .milliseconds(20),
                pollInterval: .milliseconds(200)))
        let simulator = Simulator(configuration: configuration)
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("quarry-recipes-\(schema)")
        do {
            let port = try await simulator.start()
            let registry = try EndpointRegistry(
                endpoints.sorted { $0.key < $1.key }.map {
                    Endpoint(name: $0.key, baseURL: "http://127.0.0.1:\(port)/v1", model: $0.value, maxInFlight: 64, timeoutSeconds: 20)
                }, source: "(test)")
            let service = try LLMService(registry: registry, queue: queue, logger: Logger(label: "quarry.recipes.test"))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return RecipeHarness(schema: schema, pool: pool, queue: queue, simulator: simulator, service: service, registry: registry, folder: folder)
        } catch {
            await simulator.stop()
            await TestDatabase.dropSchema(schema, pool: pool)
            await pool.close()
            throw error
        }
    }

    private func tearDown() async {
        await service.shutdown()
        await simulator.stop()
        await TestDatabase.dropSchema(schema, pool: pool)
        await pool.close()
        try? FileManager.default.removeItem(at: folder)
    }

    /// The MedQuAD answers-as-passages fixture.
    static var medquad: String { Fixtures.medquad.path }

    /// The example corpus shipped with the recipes.
    static var examples: String {
        TestDatabase.repositoryRoot.appendingPathComponent("Sources/QuarryRecipes/Examples/passages.jsonl").path
    }

    static func medquadSpec(name: String = "medquad", extra: String = "") -> String {
        """
        name: \(name)
        recipe: rag4rag
        input:
          path: \(medquad)
          fields: {passage: output, topic: instruction, question: instruction}
        endpoints: {generator: sim, judge: sim}
        seed: 11
        \(extra)
        """
    }

    /// Writes `text` to a file in the harness folder; returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Checks and submits a spec (written to `file` in the harness folder).
    func submit(_ yaml: String, file: String = "build.yaml") async throws -> SubmitReport {
        let path = try write(file, yaml)
        let plan = try BuildSpecParser(file: path, endpoints: registry).parseFile()
        return try await BuildSubmitter(queue: queue).submit(plan)
    }

    func handlers() -> HandlerRegistry {
        var registry = HandlerRegistry()
        RecipeCatalog.registerHandlers(into: &registry, service: service)
        return registry
    }

    /// Runs a coordinator (unless `coordinator` is false) and a worker in-process until every build in
    /// `builds` has ended (in any outcome: check it with `queue.build(_:)`), or the timeout.
    func run(until builds: [Int], coordinator: Bool = true, timeout: Duration = .seconds(240)) async throws -> Bool {
        let worker = Worker(queue: queue, handlers: handlers(), configuration: WorkerConfiguration(concurrency: 32, runRescuer: !coordinator))
        func completed() async throws -> Bool {
            try await eventually(timeout: timeout, every: .milliseconds(200)) {
                for build in builds where try await queue.build(build)?.state.isFinished != true { return false }
                return true
            }
        }
        guard coordinator else { return try await whileRunning(worker) { try await completed() } }
        // Stopped in reverse order: the worker first, then the coordinator.
        return try await whileRunning(Coordinator(queue: queue), worker) { try await completed() }
    }

    func export(_ build: Int, _ name: String) async throws -> (URL, ExportManifest) {
        let url = folder.appendingPathComponent(name)
        let manifest = try await BuildExporter(queue: queue).export(buildID: build, to: url)
        return (url, manifest)
    }

    func count(_ sql: PostgresQuery) async throws -> Int {
        try await pool.query(sql)[0].decode(Int.self, at: 0)
    }

    /// Task counts of a build by kind.
    func kinds(_ build: Int) async throws -> [String: Int] {
        let rows = try await pool.query("SELECT kind, count(*) AS n FROM \(identifier: schema).tasks WHERE build_id = \(build) GROUP BY kind")
        var counts: [String: Int] = [:]
        for row in rows { counts[try row.decode(String.self, "kind")] = try row.decode(Int.self, "n") }
        return counts
    }

    /// Every task of a build with its output, in key order.
    func tasks(_ build: Int) async throws -> [TaskResultRow] {
        var rows: [TaskResultRow] = []
        for try await row in queue.tasks(buildID: build) { rows.append(row) }
        return rows
    }
}

/// Reads an exported JSON Lines file.
func jsonLines<T: Decodable>(_ url: URL, as type: T.Type) throws -> [T] {
    let text = try String(contentsOf: url, encoding: .utf8)
    return try text.split(separator: "\n").map { try JSONDecoder().decode(T.self, from: Data($0.utf8)) }
}

func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(text.utf8))
}
