import QuarryPostgres

/// Timing and limits of the queue. Defaults suit LLM work: calls of seconds to minutes.
public struct QueueConfiguration: Sendable {
    /// The schema holding Quarry's tables (also names the NOTIFY channel, so schemas don't wake each other).
    public var schema: String
    /// How long a claim holds a task without a heartbeat. A killed worker's tasks are claimable again
    /// within `leaseDuration + heartbeatInterval`.
    public var leaseDuration: Duration
    /// How often workers renew their leases (one statement for all their tasks) and the rescuer runs.
    public var heartbeatInterval: Duration
    /// Snoozes (rate limits) allowed per task before a snooze counts as a failed attempt.
    public var maxSnoozes: Int
    /// A task's snoozes are counted on it (`tasks.snoozes`); only its first and every this-many-th snooze
    /// writes a `task_attempts` row.
    public var snoozeLogEvery: Int
    /// Completion buffers are flushed at least this often…
    public var flushInterval: Duration
    /// …or as soon as this many outcomes are waiting.
    public var flushBatchSize: Int
    /// Idle workers look for work this often even without a NOTIFY (the correctness path).
    public var pollInterval: Duration
    /// At most one NOTIFY per this interval per process.
    public var notifyDebounce: Duration
    /// Where LISTEN and the leader locks connect, when the pool goes through a transaction-mode pooler
    /// (PgBouncer) that cannot hold session state: a direct or session-pooled connection. Nil: the pool's.
    public var sessionConnection: PostgresConfiguration?

    public init(
        schema: String = "quarry", leaseDuration: Duration = .seconds(30), heartbeatInterval: Duration = .seconds(5),
        maxSnoozes: Int = 100, snoozeLogEvery: Int = 20, flushInterval: Duration = .milliseconds(50), flushBatchSize: Int = 500,
        pollInterval: Duration = .seconds(1), notifyDebounce: Duration = .milliseconds(100)
    ) {
        self.schema = schema
        self.leaseDuration = leaseDuration
        self.heartbeatInterval = heartbeatInterval
        self.maxSnoozes = maxSnoozes
        self.snoozeLogEvery = max(1, snoozeLogEvery)
        self.flushInterval = flushInterval
        self.flushBatchSize = flushBatchSize
        self.pollInterval = pollInterval
        self.notifyDebounce = notifyDebounce
        self.sessionConnection = nil
    }

    /// The channel enqueuers NOTIFY and idle workers LISTEN on.
    public var taskChannel: String { "\(schema)_tasks" }
    /// The channel workers NOTIFY when tasks finish (the coordinator listens).
    public var finishedChannel: String { "\(schema)_finished" }
}
