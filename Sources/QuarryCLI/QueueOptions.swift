import ArgumentParser
import QuarryQueue

/// Queue timing options shared by the processes that run the queue.
struct QueueOptions: ParsableArguments {
    @Option(help: "Lease length in seconds: a silent worker's tasks are rescued after lease + heartbeat.")
    var leaseSeconds: Double = 30

    @Option(help: "Heartbeat (lease renewal) and rescue interval in seconds.")
    var heartbeatSeconds: Double = 5

    @Option(help: "Snoozes (rate limits) allowed per task before a snooze counts as a failed attempt.")
    var maxSnoozes: Int = 100

    /// Leases from a second to a day; heartbeats from a tenth of a second to an hour.
    static let leaseRange: ClosedRange<Double> = 1...86_400
    static let heartbeatRange: ClosedRange<Double> = 0.1...3_600

    @Option(
        name: .customLong("listen-database-url"),
        help: """
            Direct (or session-pooled) PostgreSQL URL for LISTEN and the leader locks, for when --database-url goes \
            through a transaction-mode pooler such as PgBouncer; claims and results then use --database-url without \
            session state. Default: QUARRY_LISTEN_DATABASE_URL; unset, everything uses --database-url.
            """)
    var listenDatabaseURL: String?

    /// --listen-database-url, else QUARRY_LISTEN_DATABASE_URL; nil when neither is set.
    var listenURL: String? {
        listenDatabaseURL.flatMap { $0.isEmpty ? nil : $0 } ?? DatabaseOptions.environmentListenURL
    }

    func validate() throws {
        try Self.check("--lease-seconds", leaseSeconds, in: Self.leaseRange)
        try Self.check("--heartbeat-seconds", heartbeatSeconds, in: Self.heartbeatRange)
        guard (0...1_000_000).contains(maxSnoozes) else { throw ValidationError("--max-snoozes must be between 0 and 1000000, not \(maxSnoozes)") }
        guard heartbeatSeconds < leaseSeconds else {
            throw ValidationError("--heartbeat-seconds (\(heartbeatSeconds)) must be shorter than --lease-seconds (\(leaseSeconds)), or leases lapse between renewals")
        }
    }

    /// Refuses a number of seconds outside `range` (NaN and infinities included), naming the option.
    static func check(_ option: String, _ seconds: Double, in range: ClosedRange<Double>) throws {
        guard range.contains(seconds) else {
            func text(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
            throw ValidationError("\(option) must be between \(text(range.lowerBound)) and \(text(range.upperBound)) seconds, not \(seconds)")
        }
    }

    /// The queue configuration of a process whose pool comes from `database`: with a listen URL, LISTEN and
    /// the leader locks connect there (the pool is then transaction-pooled: see `DatabaseOptions.withPool`).
    func configuration(database: DatabaseOptions, role: String) -> QueueConfiguration {
        var configuration = configuration(schema: database.schema)
        configuration.sessionConnection = listenURL.map { database.configuration(role: role, url: $0) }
        return configuration
    }

    func configuration(schema: String) -> QueueConfiguration {
        QueueConfiguration(
            schema: schema, leaseDuration: .milliseconds(Int64(leaseSeconds * 1_000)),
            heartbeatInterval: .milliseconds(Int64(heartbeatSeconds * 1_000)), maxSnoozes: maxSnoozes)
    }
}
