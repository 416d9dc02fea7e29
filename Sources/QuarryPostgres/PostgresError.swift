/// An error from the PostgreSQL layer: a server error (with its SQLSTATE), a lost connection, or a
/// value that could not be decoded. `code` is the classification callers act on; the rest is context.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The connection broke (network, server crash or restart). Safe to retry on a new connection
        /// if the statement is idempotent or was not committed.
        case connectionLost = "connection_lost"
        /// Could not open a connection at all: the server did not answer (down, restarting, wrong host or
        /// port). Retried with backoff, since a restarting server comes back.
        case connectFailed = "connect_failed"
        /// The server answered and refused the login: wrong password, unknown role, no pg_hba.conf entry
        /// (SQLSTATE 28P01/28000). Never retried: waiting does not fix credentials.
        case authenticationFailed = "authentication_failed"
        /// The server answered and the database named in the URL does not exist (SQLSTATE 3D000). Never retried.
        case databaseNotFound = "database_not_found"
        /// SQLSTATE 40001: the transaction lost a serialization race; retry it.
        case serializationFailure = "serialization_failure"
        /// SQLSTATE 40P01: the server broke a deadlock by aborting this transaction; retry it.
        case deadlock
        /// SQLSTATE 23505.
        case uniqueViolation = "unique_violation"
        /// SQLSTATE 57014: statement timeout or an explicit cancel.
        case queryCancelled = "query_cancelled"
        /// SQLSTATE 57P01/57P02/57P03: the server is shutting down or restarting.
        case adminShutdown = "admin_shutdown"
        /// A column held a type the requested Swift type cannot be decoded from.
        case typeMismatch = "type_mismatch"
        /// A NULL where a non-optional Swift type was requested.
        case unexpectedNull = "unexpected_null"
        /// No column with that name in the result.
        case columnNotFound = "column_not_found"
        /// A value Quarry refuses to send (e.g. a NUL byte in text).
        case invalidValue = "invalid_value"
        /// Any other server error; `sqlState` says which.
        case other
    }

    public var code: Code
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    /// The SQL text (never the bound values) of the statement that failed, when there was one.
    public var query: String?
    /// The column involved, for decoding errors.
    public var column: String?

    public init(
        code: Code, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil,
        query: String? = nil, column: String? = nil
    ) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.query = query
        self.column = column
    }

    /// Worth retrying the whole unit of work: the failure was about timing or the connection, not the statement.
    public var isRetryable: Bool {
        switch code {
        case .connectionLost, .connectFailed, .serializationFailure, .deadlock, .adminShutdown: true
        default: false
        }
    }

    /// The connection this came from can no longer be used.
    public var isConnectionFailure: Bool {
        switch code {
        case .connectionLost, .connectFailed, .adminShutdown, .authenticationFailed, .databaseNotFound: true
        default: false
        }
    }

    /// A failed connection attempt, classified from libpq's message (libpq gives no SQLSTATE before a connection
    /// exists): refusals that waiting cannot fix are `authenticationFailed` or `databaseNotFound`, the rest
    /// `connectFailed`. `target` is the connection string without its password.
    public static func classifyConnectFailure(_ message: String, target: String) -> PostgresError {
        let lowered = message.lowercased()
        let authentication = [
            "authentication failed", "no pg_hba.conf entry", "pg_hba.conf rejects", "no password supplied",
            "password is required", "permission denied for database", "is not permitted to log in",
        ]
        if authentication.contains(where: lowered.contains) || (lowered.contains("role \"") && lowered.contains("does not exist")) {
            return PostgresError(
                code: .authenticationFailed, sqlState: "28000",
                message: "PostgreSQL at \(target) refused the login: \(message)",
                hint: "check the user and password (in the URL, PGUSER/PGPASSWORD or ~/.pgpass) and pg_hba.conf; not retried")
        }
        if lowered.contains("database \""), lowered.contains("does not exist") {
            return PostgresError(
                code: .databaseNotFound, sqlState: "3D000",
                message: "PostgreSQL at \(target): \(message)",
                hint: "create the database (createdb NAME) or fix the database name in the URL; not retried")
        }
        return PostgresError(
            code: .connectFailed,
            message: "cannot connect to PostgreSQL at \(target): \(message)",
            hint: "set --database-url, QUARRY_DATABASE_URL or PGHOST/PGPORT/PGUSER/PGDATABASE")
    }

    public var description: String {
        var text = "PostgreSQL error [\(code.rawValue)]"
        if let sqlState { text += " SQLSTATE \(sqlState)" }
        text += ": \(message)"
        if let column { text += " (column \"\(column)\")" }
        if let detail, !detail.isEmpty { text += "\nDETAIL: \(detail)" }
        if let hint, !hint.isEmpty { text += "\nHINT: \(hint)" }
        if let query {
            let short = query.count > 300 ? String(query.prefix(300)) + "…" : query
            text += "\nQUERY: \(short.trimmingWhitespace())"
        }
        return text
    }

    /// Classify a SQLSTATE into the codes above.
    static func classify(sqlState: String?) -> Code {
        guard let sqlState else { return .other }
        switch sqlState {
        case "40001": return .serializationFailure
        case "40P01": return .deadlock
        case "23505": return .uniqueViolation
        case "57014": return .queryCancelled
        case "57P01", "57P02", "57P03": return .adminShutdown
        default:
            // Class 08: connection exceptions.
            return sqlState.hasPrefix("08") ? .connectionLost : .other
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
