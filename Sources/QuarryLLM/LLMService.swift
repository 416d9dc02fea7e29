import Foundation
import Logging
import QuarryHTTP
import QuarryQueue
import Synchronization

/// Everything recipes and the `llm.chat` kind need to call endpoints from a worker: the endpoint registry,
/// one HTTP client, each endpoint's share of the pool's rate limits and its in-flight cap, the response
/// cache, and usage/cost accounting with per-build budgets. One per worker process, shared by all handlers.
///
/// Each call: cache lookup → budget check → in-flight slot → rate-limit slot → HTTP → classify → record
/// usage → (for typed output) check, and repair within the same attempt → store in the cache.
/// Calls throw `LLMError` (map it with `taskError` / `LLMError.queueError(for:)`) or `CancellationError`.
public final class LLMService: Sendable {
    public let registry: EndpointRegistry
    public let configuration: LLMServiceConfiguration
    let http: HTTPClient
    let ownsHTTPClient: Bool
    let runtimes: [String: EndpointRuntime]
    let cache: ResponseCache?
    let usage: UsageRecorder?
    let policies: BuildPolicyCache?
    let workers: WorkerShareTracker
    let authFailures = Mutex<[String: Int]>([:])
    /// Identical calls in flight at once share one endpoint call (see `InFlightCalls`).
    let inFlight = InFlightCalls()
    /// The same, across worker processes, through the database (see `CallClaims`).
    let claims: CallClaims?
    /// Round-robin position over the HTTP client's driver threads (`onHTTPDriver`).
    let nextDriver = Atomic<UInt>(0)
    let logger: Logger

    /// One endpoint's client and this process's limits for it.
    struct EndpointRuntime: Sendable {
        var client: LLMClient
        var limiter: EndpointRateLimiter
        var congestion: CongestionControl
        var slots: AsyncSemaphore
        var endpoint: Endpoint { client.endpoint }
    }

    /// - Parameters:
    ///   - queue: the worker's queue. With it, the cache, usage, budgets and the live-worker count for
    ///     sharing limits all live in its database and schema; without it the service is a bare client
    ///     with in-process limits (benchmarks, scripts).
    ///   - httpClient: share one with other components, or let the service create (and shut down) its own.
    ///   - environment: where API keys are read from, by variable name, at each request.
    public init(
        registry: EndpointRegistry, queue: TaskQueue? = nil, httpClient: HTTPClient? = nil,
        configuration: LLMServiceConfiguration = LLMServiceConfiguration(),
        environment: @escaping @Sendable (String) -> String? = LLMClient.processEnvironment,
        logger: Logger = Logger(label: "quarry.llm")
    ) throws {
        self.registry = registry
        self.configuration = configuration
        self.logger = logger
        if let httpClient {
            http = httpClient
            ownsHTTPClient = false
        } else {
            http = try HTTPClient(configuration: configuration.http, logger: logger)
            ownsHTTPClient = true
        }
        let tuning = EndpointRateLimiter.Tuning(
            burstSeconds: configuration.rateBurstSeconds, decreaseFactor: configuration.rateDecreaseFactor,
            increasePerSecond: configuration.rateIncreasePerSecond)
        let congestionTuning = CongestionControl.Tuning(
            decreaseFactor: configuration.stormDecreaseFactor, increasePerSecond: configuration.stormIncreasePerSecond,
            baseCooldown: configuration.stormBaseCooldown, maxCooldown: configuration.stormMaxCooldown)
        var runtimes: [String: EndpointRuntime] = [:]
        for (name, endpoint) in registry.endpoints {
            runtimes[name] = EndpointRuntime(
                client: LLMClient(endpoint: endpoint, http: http, environment: environment),
                limiter: EndpointRateLimiter(rpm: endpoint.rpm, tpm: endpoint.tpm, tuning: tuning),
                congestion: CongestionControl(tuning: congestionTuning),
                slots: AsyncSemaphore(permits: endpoint.maxInFlight))
        }
        self.runtimes = runtimes
        if let queue {
            let schema = queue.configuration.schema
            cache = ResponseCache(pool: queue.pool, schema: schema)
            claims = CallClaims(pool: queue.pool, schema: schema)
            usage = UsageRecorder(
                pool: queue.pool, schema: schema, flushInterval: configuration.usageFlushInterval,
                spentRefreshInterval: configuration.budgetRefreshInterval, logger: logger)
            policies = BuildPolicyCache(pool: queue.pool, schema: schema, refreshInterval: configuration.budgetRefreshInterval)
        } else {
            cache = nil
            claims = nil
            usage = nil
            policies = nil
        }
        workers = WorkerShareTracker(
            queue: queue, kind: configuration.workerCountKind, refreshInterval: configuration.workerCountRefresh, logger: logger)
    }

    /// Writes buffered usage rows now (call before exit; workers call it at shutdown).
    public func flushUsage() async throws {
        try await usage?.flush()
    }

    /// Every `usageFlushInterval` until the calling task is cancelled: writes buffered usage rows, so
    /// `llm_usage` keeps up while a worker runs, including when its calls pause, and renews this process's
    /// claims on calls in flight (`CallClaims`), so other processes keep waiting for their answers. Run it
    /// beside the worker.
    public func runBackgroundWrites() async {
        guard let usage else { return }
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.usageFlushInterval) } catch { return }
            do { try await usage.flush() } catch { logger.warning("could not record LLM usage (kept for the next flush): \(error)") }
            do { try await claims?.renew() } catch { logger.warning("could not renew this process's claims on calls in flight: \(error)") }
        }
    }

    /// Flushes usage and, if the service created its HTTP client, shuts it down.
    public func shutdown() async {
        do { try await flushUsage() } catch { logger.error("could not write the last LLM usage rows: \(error)") }
        if ownsHTTPClient { http.shutdown() }
    }

    /// This process's current request rate for `endpoint` (after sharing and AIMD), for monitoring.
    public func currentRequestsPerMinute(endpoint: String) -> Double? {
        runtimes[endpoint]?.limiter.snapshot.requestsPerMinute
    }

    /// How this process is backing off `endpoint` after 429s without Retry-After: the learned cap on its
    /// request rate (per second; nil when there is none), the cooldown left, and the bursts so far.
    public func congestion(endpoint: String) -> (requestsPerSecond: Double?, cooldownRemaining: Duration?, bursts: Int)? {
        guard let snapshot = runtimes[endpoint]?.congestion.snapshot else { return nil }
        return (snapshot.requestsPerSecond, snapshot.cooldownRemaining, snapshot.bursts)
    }

    /// The typed client for `endpoint` (no cache, limits or accounting).
    public func client(for endpoint: String) throws -> LLMClient {
        try runtime(endpoint).client
    }

    func runtime(_ name: String) throws -> EndpointRuntime {
        guard let runtime = runtimes[name] else {
            throw LLMError(
                code: .unknownEndpoint, endpoint: name,
                message: "no endpoint named '\(name)' in \(registry.source) (configured: \(registry.names.joined(separator: ", ")))")
        }
        return runtime
    }
}
