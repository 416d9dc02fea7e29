import CLibPQ
import Glibc
import Dispatch
import Logging

/// One PostgreSQL connection over libpq.
///
/// libpq calls block, so every call on the handle runs on this connection's own serial dispatch queue,
/// never on Swift's cooperative pool, and never two at a time. A connection has one owner at a time:
/// take it from a `PostgresPool` (or own it outright) before running a transaction on it.
///
/// A dead connection (server restart, `pg_terminate_backend`, network loss) is noticed before the next
/// statement is sent and re-established with backoff, up to `reconnectTimeout`; callers see an error only
/// for the statement that was in flight when the connection broke, or once reconnecting has timed out.
///
/// `@unchecked Sendable`: all mutable state (`handle`, `inTransaction`, `hasConnectedBefore`, `closed`) is read and written only from
/// `queue`, a serial queue, which is what makes sharing the reference across tasks safe.
public final class PostgresConnection: @unchecked Sendable {
    public let configuration: PostgresConfiguration
    let logger: Logger
    private let queue: DispatchQueue
    private let executor: DispatchQueueTaskExecutor
    private var handle: OpaquePointer?
    private var inTransaction = false
    private var hasConnectedBefore = false
    private var closed = false

    public init(configuration: PostgresConfiguration, logger: Logger = Logger(label: "quarry.postgres")) {
        self.configuration = configuration
        self.logger = logger
        let queue = DispatchQueue(label: "quarry.postgres.connection")
        self.queue = queue
        self.executor = DispatchQueueTaskExecutor(queue: queue)
    }

    /// Runs a task's jobs on this connection's queue: a loop that owns the connection and prefers this
    /// executor (`withTaskExecutorPreference`) runs each statement without leaving its thread. Blocking
    /// libpq calls then block that loop only, never a thread of Swift's cooperative pool.
    public var taskExecutor: any TaskExecutor { executor }

    /// Opens a connection now (rather than at the first statement), failing fast on bad settings.
    public static func connect(
        configuration: PostgresConfiguration, logger: Logger = Logger(label: "quarry.postgres")
    ) async throws -> PostgresConnection {
        let connection = PostgresConnection(configuration: configuration, logger: logger)
        _ = try await connection.withLiveHandle(reconnect: false) { _ in () }
        return connection
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Closes the connection; later statements fail.
    public func close() async {
        try? await onQueue {
            self.closed = true
            if let handle = self.handle { PQfinish(handle) }
            self.handle = nil
        }
    }

    // MARK: Statements

    /// Runs one statement with its bound values; results come back in binary format and decode by type.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresResult {
        try await withLiveHandle { handle in try self.execute(query, on: handle) }
    }

    /// Runs SQL text with no parameters, possibly several statements (a migration file). Values never
    /// go through here: use `query` for anything with data in it.
    public func executeScript(_ sql: String) async throws {
        try await withLiveHandle { handle in
            guard let result = PQexec(handle, sql) else { throw self.connectionError(handle, query: sql) }
            _ = try self.check(result, handle: handle, query: sql)
        }
    }

    /// The server process id of this connection (for `pg_terminate_backend` in tests and tooling).
    public func backendPID() async throws -> Int32 {
        try await withLiveHandle { handle in PQbackendPID(handle) }
    }

    // MARK: Transactions

    /// Runs `body` inside BEGIN … COMMIT; any error thrown by `body` rolls the transaction back and is rethrown.
    /// A connection lost mid-transaction is not silently replaced: the error reaches the caller.
    @discardableResult
    public func transaction<T: Sendable>(
        _ isolation: PostgresIsolation = .readCommitted,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withLiveHandle { handle in
            _ = try self.execute(PostgresQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)"), on: handle)
            self.inTransaction = true
        }
        do {
            let value = try await body(self)
            try await finishTransaction("COMMIT")
            return value
        } catch {
            try? await finishTransaction("ROLLBACK")
            throw error
        }
    }

    private func finishTransaction(_ command: String) async throws {
        try await onQueue {
            defer { self.inTransaction = false }
            guard let handle = self.handle else {
                throw PostgresError(code: .connectionLost, message: "connection lost inside a transaction; it was rolled back")
            }
            _ = try self.execute(PostgresQuery(unsafeSQL: command), on: handle)
        }
    }

    // MARK: Running on the connection's queue

    /// Runs `body` on the connection's queue and resumes the caller with its outcome.
    func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    /// Runs `body` with a live handle, reconnecting with backoff first when the connection is dead.
    func withLiveHandle<T: Sendable>(
        reconnect: Bool = true, _ body: @escaping @Sendable (OpaquePointer) throws -> T
    ) async throws -> T {
        let deadline = ContinuousClock.now + configuration.reconnectTimeout
        return try await Backoff(initial: .milliseconds(50), maximum: .seconds(2)).retrying(
            until: deadline,
            // Only an unreachable server is worth waiting for; bad credentials or a missing database are not.
            shouldRetry: { reconnect && ($0 as? PostgresError)?.code == .connectFailed },
            onRetry: { error, delay in
                self.logger.warning("PostgreSQL unreachable, retrying in \(delay): \((error as? PostgresError)?.message ?? "\(error)")")
            }
        ) {
            try await onQueue {
                let handle = try self.liveHandle()
                return try body(handle)
            }
        }
    }

    /// On the queue: the current handle if it is alive, else a fresh one. Throws `.connectFailed`
    /// when the server cannot be reached (the caller backs off and retries).
    private func liveHandle() throws -> OpaquePointer {
        if closed { throw PostgresError(code: .connectionLost, message: "the connection was closed") }
        if let handle {
            if PQstatus(handle) == CONNECTION_OK && !Self.peerHasHungUp(handle) { return handle }
            logger.info("PostgreSQL connection lost; reconnecting")
            PQfinish(handle)
            self.handle = nil
        }
        if inTransaction {
            inTransaction = false
            throw PostgresError(code: .connectionLost, message: "connection lost inside a transaction; it was rolled back")
        }
        let handle = try Self.openHandle(configuration)
        self.handle = handle
        if hasConnectedBefore { logger.info("PostgreSQL connection re-established") }
        hasConnectedBefore = true
        return handle
    }

    /// An idle connection should have nothing to read. Input here is almost always the server's FATAL
    /// message before it closes (terminate, shutdown); read it so libpq notices the closed socket. The
    /// message can arrive before the close does (a terminated backend leaves pg_stat_activity, then
    /// exits): after input that was not a notification, wait a moment for the close itself.
    private static func peerHasHungUp(_ handle: OpaquePointer) -> Bool {
        var waitMilliseconds: Int32 = 0
        for _ in 0..<4 {
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, waitMilliseconds) > 0 else { return false }
            if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK { return true }
            // Drop notifications that arrived on a connection nobody listens on.
            var notified = false
            while let notify = PQnotifies(handle) {
                PQfreemem(notify)
                notified = true
            }
            waitMilliseconds = notified ? 0 : 1_000
        }
        return PQstatus(handle) != CONNECTION_OK
    }

    /// Opens a libpq connection with `configuration`; throws `.connectFailed` with libpq's reason.
    static func openHandle(_ configuration: PostgresConfiguration) throws -> OpaquePointer {
        let pairs = configuration.keywordValues
        let keywords = pairs.map { strdup($0.0) } + [nil]
        let values = pairs.map { strdup($0.1) } + [nil]
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let handle = keywords.withUnsafeBufferPointer { keywordPointer in
            values.withUnsafeBufferPointer { valuePointer in
                keywordPointer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { k in
                    valuePointer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { v in
                        PQconnectdbParams(k.baseAddress, v.baseAddress, 1)
                    }
                }
            }
        }
        guard let handle else {
            throw PostgresError(code: .connectFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingWhitespace()
            PQfinish(handle)
            throw PostgresError.classifyConnectFailure(message, target: configuration.redactedDescription)
        }
        PQsetNoticeProcessor(handle, { _, _ in }, nil)  // NOTICEs (e.g. "already exists, skipping") are noise here
        return handle
    }

    // MARK: Executing (on the queue)

    func execute(_ query: PostgresQuery, on handle: OpaquePointer) throws -> PostgresResult {
        let values = query.binds.values
        if values.isEmpty {
            guard let result = PQexecParams(handle, query.sql, 0, nil, nil, nil, nil, PostgresFormat.binary.rawValue)
            else { throw connectionError(handle, query: query.sql) }
            return try check(result, handle: handle, query: query.sql)
        }
        // Lay every value out in one buffer (text values NUL-terminated, as libpq requires) and point into it.
        var storage: [UInt8] = []
        storage.reserveCapacity(values.reduce(0) { $0 + ($1.bytes?.count ?? 0) + 1 })
        var offsets: [Int] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        var types: [UInt32] = []
        offsets.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            types.append(value.type.rawValue)
            formats.append(value.format.rawValue)
            guard let bytes = value.bytes else {
                offsets.append(-1)
                lengths.append(0)
                continue
            }
            if value.format == .text, bytes.contains(0) {
                throw PostgresError(
                    code: .invalidValue,
                    message: "parameter $\(index + 1) contains a NUL byte, which PostgreSQL text cannot hold",
                    query: query.sql)
            }
            offsets.append(storage.count)
            lengths.append(Int32(bytes.count))
            storage.append(contentsOf: bytes)
            if value.format == .text { storage.append(0) }
        }
        let result: OpaquePointer? = storage.withUnsafeBufferPointer { base in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                guard offset >= 0 else { return nil }
                return base.baseAddress.map { UnsafeRawPointer($0 + offset).assumingMemoryBound(to: CChar.self) }
            }
            return PQexecParams(
                handle, query.sql, Int32(values.count), types, pointers, lengths, formats,
                PostgresFormat.binary.rawValue)
        }
        guard let result else { throw connectionError(handle, query: query.sql) }
        return try check(result, handle: handle, query: query.sql)
    }

    /// Turns a PGresult into a `PostgresResult` or a thrown `PostgresError` (freeing it in that case).
    func check(_ result: OpaquePointer, handle: OpaquePointer, query: String?) throws -> PostgresResult {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(handle: result)
        default:
            let error = serverError(result, handle: handle, query: query)
            PQclear(result)
            if error.isConnectionFailure { dropHandle() }
            throw error
        }
    }

    func serverError(_ result: OpaquePointer, handle: OpaquePointer, query: String?) -> PostgresError {
        func field(_ code: Unicode.Scalar) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.value)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field("C")
        var code = PostgresError.classify(sqlState: sqlState)
        if PQstatus(handle) != CONNECTION_OK, code != .adminShutdown { code = .connectionLost }
        let message = field("M") ?? String(cString: PQresultErrorMessage(result)).trimmingWhitespace()
        return PostgresError(
            code: code, sqlState: sqlState, message: message.isEmpty ? "server closed the connection" : message,
            detail: field("D"), hint: field("H"), query: query, column: field("c"))
    }

    func connectionError(_ handle: OpaquePointer, query: String?) -> PostgresError {
        let message = String(cString: PQerrorMessage(handle)).trimmingWhitespace()
        dropHandle()
        return PostgresError(code: .connectionLost, message: message.isEmpty ? "connection lost" : message, query: query)
    }

    /// On the queue: forget a handle that can no longer be used; the next statement reconnects.
    func dropHandle() {
        if let handle { PQfinish(handle) }
        handle = nil
    }
}

/// Transaction isolation levels.
public enum PostgresIsolation: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}
