import Foundation
import Logging
import QuarryPostgres

/// The queue's operations over PostgreSQL: builds, enqueue, claim, heartbeat, settle, rescue, control.
/// Every statement names the schema explicitly, so a pool needs no particular search_path. Workers,
/// the coordinator, the CLI and recipes all go through this type; nobody else writes queue SQL.
public final class TaskQueue: Sendable {
    public let pool: PostgresPool
    public let configuration: QueueConfiguration
    let logger: Logger
    let notifier: NotifyDebouncer

    public init(pool: PostgresPool, configuration: QueueConfiguration = QueueConfiguration(), logger: Logger = Logger(label: "quarry.queue")) {
        self.pool = pool
        self.configuration = configuration
        self.logger = logger
        self.notifier = NotifyDebouncer(interval: configuration.notifyDebounce)
    }

    var schema: String { configuration.schema }

    /// The hot-path statements' text (also what `quarry bench queue`'s pgbench baseline runs).
    public var statements: QueueStatements { QueueStatements(schema: configuration.schema) }

    /// Runs `body` on `connection` when the caller owns one (a worker's claim loop), else on one the pool lends.
    func withConnection<T: Sendable>(
        _ connection: PostgresConnection?, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        if let connection { return try await body(connection) }
        return try await pool.withConnection(body)
    }

    /// Sends a debounced NOTIFY on `channel`: at most one per debounce interval, with a trailing one so
    /// the last burst is never left unannounced. Wake-ups are hints; polling stays the correctness path.
    func notify(_ channel: String) {
        notifier.request { [pool] in
            _ = try? await pool.query("SELECT pg_notify(\(channel), '')")
        }
    }
}
