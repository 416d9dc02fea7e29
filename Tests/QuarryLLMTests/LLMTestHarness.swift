import Foundation
import Logging
import QuarryLLM
import QuarryPostgres
import QuarryQueue
import QuarrySimulator
import QuarryTestSupport
import Synchronization

/// A migrated schema of the test's own, a queue over it, and a running simulator.
struct LLMTestHarness: Sendable {
    let schema: String
    let pool: PostgresPool
    let queue: TaskQueue
    let simulator: Simulator
    let baseURL: String

    static func start(
        queue queueConfiguration: QueueConfiguration? = nil, _ configure: (inout SimulatorConfiguration) -> Void = { _ in }
    ) async throws -> LLMTestHarness {
        let schema = TestDatabase.uniqueSchema("llm")
        let pool = TestDatabase.pool(maxConnections: 8)
        let migrations = try Migration.load(from: TestDatabase.repositoryRoot.appendingPathComponent("migrations"))
        try await PostgresMigrator(pool: pool, schema: schema, migrations: migrations).migrate()
        var configuration = queueConfiguration ?? QueueConfiguration()
        configuration.schema = schema
        let queue = TaskQueue(pool: pool, configuration: configuration)
        var simulatorConfiguration = SimulatorConfiguration()
        configure(&simulatorConfiguration)
        let simulator = Simulator(configuration: simulatorConfiguration)
        let port = try await simulator.start()
        return LLMTestHarness(schema: schema, pool: pool, queue: queue, simulator: simulator, baseURL: "http://127.0.0.1:\(port)/v1")
    }

    func stop() async {
        await simulator.stop()
        await pool.close()
    }

    func endpoint(
        name: String = "sim", model: String = "sim-small", apiKeyEnv: String? = nil, rpm: Int? = nil, tpm: Int? = nil,
        timeoutSeconds: Double = 10, priceIn: Double = 0, priceOut: Double = 0
    ) -> Endpoint {
        Endpoint(
            name: name, baseURL: baseURL, model: model, apiKeyEnv: apiKeyEnv, rpm: rpm, tpm: tpm, maxInFlight: 64,
            timeoutSeconds: timeoutSeconds, pricePerMillionInput: priceIn, pricePerMillionOutput: priceOut)
    }

    func service(
        _ endpoints: [Endpoint], configuration: LLMServiceConfiguration = LLMServiceConfiguration(),
        environment: [String: String] = [:], logger: Logger = Logger(label: "quarry.llm.test"), withQueue: Bool = true
    ) throws -> LLMService {
        try LLMService(
            registry: try EndpointRegistry(endpoints), queue: withQueue ? queue : nil, configuration: configuration,
            environment: { environment[$0] }, logger: logger)
    }

    func scalar<T: PostgresDecodable>(_ type: T.Type, _ query: PostgresQuery) async throws -> T {
        try await pool.query(query)[0].decode(T.self, at: 0)
    }
}

func chat(_ text: String, maxTokens: Int? = nil, format: ResponseFormat? = nil) -> ChatRequest {
    ChatRequest(messages: [.user(text)], temperature: 0, maxTokens: maxTokens, responseFormat: format)
}

/// Runs `body`; returns what it threw (nil when it did not).
func caught(_ body: () async throws -> Void) async -> (any Error)? {
    do {
        try await body()
        return nil
    } catch {
        return error
    }
}

/// Keeps every log line, for checking what was (not) logged.
final class CapturedLogs: Sendable {
    let lines = Mutex<[String]>([])

    func logger(label: String = "quarry.llm.test") -> Logger {
        Logger(label: label) { label in CapturingHandler(label: label, sink: self) }
    }

    var all: String { lines.withLock { $0.joined(separator: "\n") } }

    struct CapturingHandler: LogHandler {
        let label: String
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            sink.lines.withLock { $0.append("\(event.level) \(label) \(event.message) \(metadata) \(event.metadata ?? [:])") }
        }
    }
}

/// A counter tasks can share.
final class TestCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
