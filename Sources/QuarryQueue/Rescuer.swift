import Logging
import QuarryPostgres

/// Runs `TaskQueue.rescue()` in exactly one process per schema at a time. Leadership is a session
/// advisory lock on a connection of the rescuer's own: when the leading process dies its session ends,
/// the lock is released, and another process's rescuer takes over at its next tick. Losing the
/// connection (detected as a new backend pid) means losing leadership, which is then sought again.
public final class Rescuer: Sendable {
    let queue: TaskQueue
    let connection: PostgresConnection
    let logger: Logger

    public init(queue: TaskQueue, logger: Logger = Logger(label: "quarry.rescuer")) {
        self.queue = queue
        var configuration = queue.pool.configuration
        configuration.applicationName = String((configuration.applicationName + ":rescuer").prefix(63))
        self.connection = PostgresConnection(configuration: configuration, logger: logger)
        self.logger = logger
    }

    /// Ticks every heartbeat interval until the surrounding task is cancelled.
    public func run() async {
        var leaderPID: Int32?
        while !Task.isCancelled {
            do {
                leaderPID = try await tick(leaderPID: leaderPID)
            } catch is CancellationError {
                break
            } catch {
                logger.warning("rescuer: \(error)")
                leaderPID = nil
            }
            try? await Task.sleep(for: queue.configuration.heartbeatInterval)
        }
        await connection.close()
    }

    /// One pass: become or stay leader, then rescue if leading. Returns the backend pid that holds the lock.
    func tick(leaderPID: Int32?) async throws -> Int32? {
        let pid = try await connection.backendPID()
        var leading = leaderPID == pid
        if !leading {
            let key = "quarry.rescuer." + queue.configuration.schema
            let rows = try await connection.query("SELECT pg_try_advisory_lock(hashtext(\(key))) AS got")
            leading = try rows[0].decode(Bool.self, "got")
            if leading { logger.info("this process now leads rescue for schema \(queue.configuration.schema)") }
        }
        guard leading else { return nil }
        _ = try await queue.rescue()
        return pid
    }
}
