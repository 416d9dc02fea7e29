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
        guard leaseSeconds > 0, heartbeatSeconds > 0 else { throw ValidationError("--lease-seconds and --heartbeat-seconds must be positive") }
        guard heartbeatSeconds < leaseSeconds else {
            throw ValidationError("--heartbeat-seconds (\(heartbeatSeconds)) must be shorter than --lease-seconds (\(leaseSeconds)), or leases lapse between renewals")
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
