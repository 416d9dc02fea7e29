import ArgumentParser
import Foundation
import Logging
import QuarryHTTP
import QuarryLLM
import QuarryQueue
import QuarryRecipes
import ServiceLifecycle

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker process: claim tasks, run them, write results back.",
        discussion: """
            Scale the pool by starting more of these, on this machine or others pointed at the same database. \
            SIGTERM or Ctrl-C stops claiming, lets in-flight tasks finish (up to --shutdown-grace), releases the \
            rest without using an attempt, flushes results and exits 0. If that takes 15 s longer than the grace, \
            the worker is cancelled: what is still in flight is released at once.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var queueOptions: QueueOptions

    @Option(help: "Tasks run at once by this process.")
    var concurrency: Int = 32

    @Option(help: "Only claim these kinds (comma-separated). Default: every kind this worker can run.")
    var kinds: String?

    @Option(help: "Only claim these families (comma-separated: generation, corruption, verification).")
    var families: String?

    @Option(help: "Seconds in-flight tasks may run after a shutdown signal before they are released.")
    var shutdownGrace: Double = 30

    @Flag(help: "Do not take part in rescuing expired leases (another process must).")
    var noRescue = false

    @Option(help: "Endpoints file (default: QUARRY_ENDPOINTS, else quarry.endpoints.yaml if present). Without one the worker runs only the built-in kinds.")
    var endpoints: String?

    @Flag(help: "Do not read or write the response cache.")
    var noCache = false

    @Option(help: "Pause a build after this many task deaths in a row with the same endpoint failure, across the pool (0: never).")
    var breakerThreshold = WorkerConfiguration.defaultBreakerThreshold

    @Option(help: "Serve GET /livez and /readyz on this TCP port (for Kubernetes probes; 0: any free port). Default: no endpoint.")
    var healthPort: Int?

    @Option(help: "Interface the health endpoint binds.")
    var healthHost: String = "0.0.0.0"

    @Option(help: .hidden)
    var executionLog: String?

    func validate() throws {
        guard (1...100_000).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 100000") }
        guard (0...86_400).contains(shutdownGrace) else { throw ValidationError("--shutdown-grace must be between 0 and 86400 seconds") }
        guard breakerThreshold >= 0 else { throw ValidationError("--breaker-threshold must be 0 (off) or more") }
        if let healthPort, !(0...65_535).contains(healthPort) { throw ValidationError("--health-port must be between 0 and 65535") }
        if let families {
            for name in families.split(separator: ",") where TaskFamily(rawValue: String(name)) == nil {
                throw ValidationError("unknown family '\(name)'; use generation, corruption or verification")
            }
        }
    }

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        let registry = try EndpointRegistry.loadConfigured(explicit: endpoints)
        try await database.withPool(role: "worker", maxConnections: 4, pooled: queueOptions.listenURL != nil) { pool in
            let queue = TaskQueue(pool: pool, configuration: queueOptions.configuration(database: database, role: "worker"))
            var handlers = HandlerRegistry()
            BuiltinKinds.register(into: &handlers, executionLog: executionLog)
            // With endpoints, the worker also runs llm.chat and every recipe's kinds.
            // Enough idle easy handles and driver threads for every task slot to have a request in flight.
            let http = HTTPClient.Configuration(
                maxIdleEasyHandles: max(256, concurrency),
                drivers: HTTPClient.Configuration.recommendedDrivers(forConcurrency: concurrency))
            let llmConfiguration = LLMServiceConfiguration(cacheEnabled: !noCache, http: http)
            let service = try registry.map { try LLMService(registry: $0, queue: queue, configuration: llmConfiguration) }
            if let service {
                LLMHandlers.register(into: &handlers, service: service)
                RecipeCatalog.registerHandlers(into: &handlers, service: service)
                try RecipeCatalog.standard.checkHandlers(in: handlers)
            }
            let worker = Worker(
                queue: queue, handlers: handlers,
                configuration: WorkerConfiguration(
                    concurrency: concurrency, kinds: kinds.map { $0.split(separator: ",").map(String.init) },
                    families: families.map { $0.split(separator: ",").compactMap { TaskFamily(rawValue: String($0)) } },
                    shutdownGrace: .milliseconds(Int64(shutdownGrace * 1_000)), runRescuer: !noRescue,
                    breakerThreshold: breakerThreshold, endpoints: registry.map { $0.names }))
            var services: [any Service] = [worker]
            if let healthPort {
                services.append(
                    WorkerHealthServer(
                        host: healthHost, port: healthPort, workerID: worker.registration.id, database: pool.configuration,
                        queueConfiguration: queue.configuration))
            }
            // Usage rows reach llm_usage every second while the worker runs, not only at shutdown, and claims on
            // calls in flight stay renewed until the worker has drained its tasks.
            try await ServiceRunner.run(
                services, stoppingLast: service.map { [LLMBackgroundWrites(llm: $0)] } ?? [], shutdownAllowance: .milliseconds(Int64(shutdownGrace * 1_000)) + .seconds(15),
                logger: Logger(label: "quarry.worker"))
            if let service {
                try? await service.flushUsage()
                await service.shutdown()
            }
        }
    }
}

/// The kinds every worker can run.
enum BuiltinKinds {
    static func register(into registry: inout HandlerRegistry, executionLog: String?) {
        registry.register("noop", NoopHandler(executionLogPath: executionLog))
        registry.register("sleep", SleepHandler())
    }
}
