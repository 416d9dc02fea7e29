/// How a worker process runs.
public struct WorkerConfiguration: Sendable {
    /// Tasks run at once (LLM calls are I/O-bound: hundreds per process is normal).
    public var concurrency: Int
    /// Only claim these kinds (default: every kind this worker has a handler for).
    public var kinds: [String]?
    /// Only claim these families.
    public var families: [TaskFamily]?
    /// On shutdown, how long in-flight tasks may run before they are released back to the queue.
    public var shutdownGrace: Duration
    /// Take part in rescue leadership (one process per schema rescues at a time).
    public var runRescuer: Bool
    /// Wait on LISTEN for new work when idle (polling continues regardless).
    public var listen: Bool
    /// Systemic-failure breaker: this many task deaths in a row with the same `FailureSignature` across the
    /// pool, with no task of the build completed in between, pause the build with the reason. 0 turns it off.
    public var breakerThreshold: Int
    public var version: String
    /// The endpoints this worker can call (from its endpoints file), recorded in the registry so
    /// `quarry status` can show endpoints no live worker serves.
    public var endpoints: [String]?

    /// A handful: enough that a few unlucky tasks do not stop a build, few enough that a bad key or URL
    /// costs a handful of tasks, not the build.
    public static let defaultBreakerThreshold = 5

    public init(
        concurrency: Int = 32, kinds: [String]? = nil, families: [TaskFamily]? = nil, shutdownGrace: Duration = .seconds(30),
        runRescuer: Bool = true, listen: Bool = true, breakerThreshold: Int = WorkerConfiguration.defaultBreakerThreshold,
        version: String = QuarryVersion.current, endpoints: [String]? = nil
    ) {
        self.breakerThreshold = breakerThreshold
        self.endpoints = endpoints
        self.concurrency = concurrency
        self.kinds = kinds
        self.families = families
        self.shutdownGrace = shutdownGrace
        self.runRescuer = runRescuer
        self.listen = listen
        self.version = version
    }
}

public enum QuarryVersion {
    public static let current = "0.1.0"
}
