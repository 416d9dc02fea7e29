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

    /// The services `service(_:)` made, shut down at teardown in case the test did not get to it.
    private let created = CreatedServices()

    /// A harness for the duration of `body`: when `body` returns or throws, the services it made are shut
    /// down, the simulator is stopped, the schema dropped and the pool closed.
    static func with<T>(
        queue queueConfiguration: QueueConfiguration? = nil, simulator configure: (inout SimulatorConfiguration) -> Void = { _ in },
        isolation: isolated (any Actor)? = #isolation, _ body: (LLMTestHarness) async throws -> T
    ) async throws -> T {
        var simulatorConfiguration = SimulatorConfiguration()
        configure(&simulatorConfiguration)
        let harness = try await open(queue: queueConfiguration, simulator: simulatorConfiguration)
        return try await withTearDown(of: harness, tearDown: { await $0.tearDown() }, body)
    }

    private static func open(
        queue queueConfiguration: QueueConfiguration?, simulator simulatorConfiguration: SimulatorConfiguration
    ) async throws -> LLMTestHarness {
        let (pool, schema) = try await TestDatabase.migratedPool(maxConnections: 8, prefix: "llm")
        var configuration = queueConfiguration ?? QueueConfiguration()
        configuration.schema = schema
        let queue = TaskQueue(pool: pool, configuration: configuration)
        let simulator = Simulator(configuration: simulatorConfiguration)
        let port: Int
        do {
            port = try await simulator.start()
        } catch {
            await TestDatabase.dropSchema(schema, pool: pool)
            await pool.close()
            throw error
        }
        return LLMTestHarness(schema: schema, pool: pool, queue: queue, simulator: simulator, baseURL: "http://127.0.0.1:\(port)/v1")
    }

    private func tearDown() async {
        for service in created.all { await service.shutdown() }
        await simulator.stop()
        await TestDatabase.dropSchema(schema, pool: pool)
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
        let service = try LLMService(
            registry: try EndpointRegistry(endpoints), queue: withQueue ? queue : nil, configuration: configuration,
            environment: { environment[$0] }, logger: logger)
        created.add(service)
        return service
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

/// The LLM services a harness made.
final class CreatedServices: Sendable {
    private let services = Mutex<[LLMService]>([])
    func add(_ service: LLMService) { services.withLock { $0.append(service) } }
    var all: [LLMService] { services.withLock { $0 } }
}

/// A counter tasks can share.
final class TestCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
