import Logging
import Synchronization

/// A small pool of connections for processes that need several (a worker's claim loop, heartbeat and
/// completion flusher each take one). Connections open lazily and heal themselves after a restart.
public final class PostgresPool: Sendable {
    public let configuration: PostgresConfiguration
    public let maxConnections: Int
    let logger: Logger

    private struct State {
        var idle: [PostgresConnection] = []
        var all: [PostgresConnection] = []
        var waiters: [CheckedContinuation<PostgresConnection, any Error>] = []
        var closed = false
    }
    private let state = Mutex(State())

    public init(configuration: PostgresConfiguration, maxConnections: Int = 4, logger: Logger = Logger(label: "quarry.postgres")) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.configuration = configuration
        self.maxConnections = maxConnections
        self.logger = logger
    }

    /// Lends a connection to `body` exclusively and takes it back afterwards, even when `body` throws.
    public func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        defer { release(connection) }
        return try await body(connection)
    }

    /// Runs one statement on any free connection.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresResult {
        try await withConnection { try await $0.query(query) }
    }

    /// Runs `body` in a transaction on one connection.
    @discardableResult
    public func transaction<T: Sendable>(
        _ isolation: PostgresIsolation = .readCommitted, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in try await connection.transaction(isolation, body) }
    }

    /// Closes every connection; waiting and later callers fail.
    public func close() async {
        let (connections, waiters) = state.withLock { state in
            state.closed = true
            defer { state.waiters.removeAll(); state.idle.removeAll() }
            return (state.all, state.waiters)
        }
        for waiter in waiters { waiter.resume(throwing: PostgresError(code: .connectionLost, message: "the pool was closed")) }
        for connection in connections { await connection.close() }
    }

    private enum Acquired {
        case ready(PostgresConnection)
        case wait
        case closed
    }

    func acquire() async throws -> PostgresConnection {
        let acquired: Acquired = state.withLock { state in
            if state.closed { return .closed }
            if let connection = state.idle.popLast() { return .ready(connection) }
            if state.all.count < maxConnections {
                let connection = PostgresConnection(configuration: configuration, logger: logger)
                state.all.append(connection)
                return .ready(connection)
            }
            return .wait
        }
        switch acquired {
        case .ready(let connection): return connection
        case .closed: throw PostgresError(code: .connectionLost, message: "the pool was closed")
        case .wait:
            return try await withCheckedThrowingContinuation { continuation in
                let immediate: Acquired = state.withLock { state in
                    // A connection may have come back, or the pool closed, between the two locks.
                    if state.closed { return .closed }
                    if let connection = state.idle.popLast() { return .ready(connection) }
                    state.waiters.append(continuation)
                    return .wait
                }
                switch immediate {
                case .ready(let connection): continuation.resume(returning: connection)
                case .closed: continuation.resume(throwing: PostgresError(code: .connectionLost, message: "the pool was closed"))
                case .wait: break
                }
            }
        }
    }

    func release(_ connection: PostgresConnection) {
        let waiter: CheckedContinuation<PostgresConnection, any Error>? = state.withLock { state in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(connection)
            return nil
        }
        waiter?.resume(returning: connection)
    }
}
