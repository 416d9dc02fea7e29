import QuarryHTTP

/// How an `LLMService` behaves. Defaults suit a worker process.
public struct LLMServiceConfiguration: Sendable {
    /// Read and write the response cache. Off means every call goes to the endpoint (builds can also opt
    /// out one by one with `"no_cache": true` in their spec).
    public var cacheEnabled: Bool
    /// Repair rounds inside one attempt when the answer does not decode into the expected output.
    public var maxRepairs: Int
    /// Longest unusable answer kept in an error message (bytes).
    public var rawOutputLimit: Int
    /// How often the live worker count (the divisor of every endpoint's limits) is re-read.
    public var workerCountRefresh: Duration
    /// Count only workers that run this kind when sharing limits (nil: every live worker).
    public var workerCountKind: String?
    /// Usage rows are written at least this often while calls continue.
    public var usageFlushInterval: Duration
    /// How stale a build's spent figure, budget and cache opt-out may be.
    public var budgetRefreshInterval: Duration
    /// Burst allowed after idling, in seconds of this process's rate.
    public var rateBurstSeconds: Double
    /// AIMD: the rate is multiplied by this when 429s are throttling rather than isolated (see `EndpointRateLimiter`)…
    public var rateDecreaseFactor: Double
    /// …and regains this fraction of its share every second without one.
    public var rateIncreasePerSecond: Double
    /// 429s without Retry-After (see `CongestionControl`): each burst multiplies this process's request
    /// rate for the endpoint by this…
    public var stormDecreaseFactor: Double
    /// …which regains this fraction of the rate the last burst hit at, per second;
    public var stormIncreasePerSecond: Double
    /// the endpoint is held off for this long after a burst, doubled per burst in a row (with jitter)…
    public var stormBaseCooldown: Duration
    /// …up to this.
    public var stormMaxCooldown: Duration
    /// The HTTP client's settings when the service creates its own.
    public var http: HTTPClient.Configuration
    /// Run each call (cache lookup, limits, HTTP, decoding, accounting) on one of the HTTP client's driver
    /// threads, so responses resume their call where they arrived instead of on another thread (see
    /// `HTTPClient.taskExecutors`). Off: calls run wherever the caller's task runs.
    public var runsOnHTTPDriver: Bool

    public static let defaultRawOutputLimit = 4_096

    public init(
        cacheEnabled: Bool = true, maxRepairs: Int = 2, rawOutputLimit: Int = LLMServiceConfiguration.defaultRawOutputLimit,
        workerCountRefresh: Duration = .seconds(5), workerCountKind: String? = nil, usageFlushInterval: Duration = .seconds(1),
        budgetRefreshInterval: Duration = .seconds(2), rateBurstSeconds: Double = 1, rateDecreaseFactor: Double = 0.75,
        rateIncreasePerSecond: Double = 0.1, stormDecreaseFactor: Double = 0.5, stormIncreasePerSecond: Double = 0.02,
        stormBaseCooldown: Duration = .seconds(1), stormMaxCooldown: Duration = .seconds(60),
        http: HTTPClient.Configuration = .init(), runsOnHTTPDriver: Bool = true
    ) {
        self.stormDecreaseFactor = stormDecreaseFactor
        self.stormIncreasePerSecond = stormIncreasePerSecond
        self.stormBaseCooldown = stormBaseCooldown
        self.stormMaxCooldown = stormMaxCooldown
        self.cacheEnabled = cacheEnabled
        self.maxRepairs = maxRepairs
        self.rawOutputLimit = rawOutputLimit
        self.workerCountRefresh = workerCountRefresh
        self.workerCountKind = workerCountKind
        self.usageFlushInterval = usageFlushInterval
        self.budgetRefreshInterval = budgetRefreshInterval
        self.rateBurstSeconds = rateBurstSeconds
        self.rateDecreaseFactor = rateDecreaseFactor
        self.rateIncreasePerSecond = rateIncreasePerSecond
        self.http = http
        self.runsOnHTTPDriver = runsOnHTTPDriver
    }
}
