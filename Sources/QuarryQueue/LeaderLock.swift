import Logging
import QuarryPostgres

/// Leadership by session advisory lock on a connection of its own: at most one holder per name per
/// database. When the holder's process dies its session ends and the lock is free for the next
/// `acquire()`. A reconnect (seen as a new backend pid) means the lock was lost; `acquire()` then tries
/// again.
public final class LeaderLock: Sendable {
    public let name: String
    let connection: PostgresConnection
    let logger: Logger
    private let heldBy = LockedPID()

    public init(name: String, configuration: PostgresConfiguration, logger: Logger) {
        self.name = name
        self.connection = PostgresConnection(configuration: configuration, logger: logger)
        self.logger = logger
    }

    /// True if this process holds (or just took) the lock.
    public func acquire() async throws -> Bool {
        let pid = try await connection.backendPID()
        if heldBy.value == pid { return true }
        let rows = try await connection.query("SELECT pg_try_advisory_lock(hashtext(\(name))) AS got")
        let got = try rows[0].decode(Bool.self, "got")
        heldBy.value = got ? pid : nil
        if got { logger.info("now leading \(name)") }
        return got
    }

    public func release() async {
        heldBy.value = nil
        await connection.close()
    }
}

import Synchronization

/// The backend pid that holds the lock, if any.
final class LockedPID: Sendable {
    private let state = Mutex<Int32?>(nil)
    var value: Int32? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
