import Foundation

/// Where and how to connect. The connection string is a libpq URL (`postgres://…`) or conninfo
/// (`host=… port=…`); empty means libpq's own environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`,
/// `PGPASSWORD`, …).
public struct PostgresConfiguration: Sendable {
    public var connectionString: String
    /// Shown in `pg_stat_activity.application_name`, so operators can tell workers from coordinators.
    public var applicationName: String
    /// `search_path` set at connection start (e.g. `["quarry", "public"]`); nil leaves the server default.
    public var searchPath: [String]?
    /// Seconds libpq waits for a connection.
    public var connectTimeoutSeconds: Int
    /// How long the layer keeps retrying a lost connection (with backoff) before failing the caller.
    public var reconnectTimeout: Duration
    /// TCP keepalives, so a half-open connection (e.g. a LISTEN socket behind a dead NAT) is noticed.
    public var keepalives: Bool

    public init(
        connectionString: String = "",
        applicationName: String = "quarry",
        searchPath: [String]? = nil,
        connectTimeoutSeconds: Int = 5,
        reconnectTimeout: Duration = .seconds(60),
        keepalives: Bool = true
    ) {
        self.connectionString = connectionString
        self.applicationName = applicationName
        self.searchPath = searchPath
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.reconnectTimeout = reconnectTimeout
        self.keepalives = keepalives
    }

    /// Resolves the connection string: an explicit value (e.g. `--database-url`), else
    /// `QUARRY_DATABASE_URL`, else libpq's environment.
    public static func resolve(
        explicit: String?, applicationName: String, searchPath: [String]? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> PostgresConfiguration {
        let url = explicit ?? environment["QUARRY_DATABASE_URL"] ?? ""
        return PostgresConfiguration(connectionString: url, applicationName: applicationName, searchPath: searchPath)
    }

    /// libpq keyword/value pairs. The connection string goes first as `dbname` with expansion on, so
    /// the parameters after it override what it says.
    var keywordValues: [(String, String)] {
        var pairs: [(String, String)] = []
        if !connectionString.isEmpty { pairs.append(("dbname", connectionString)) }
        pairs.append(("application_name", String(applicationName.prefix(63))))
        pairs.append(("connect_timeout", String(connectTimeoutSeconds)))
        pairs.append(("client_encoding", "UTF8"))
        if keepalives {
            pairs.append(("keepalives", "1"))
            pairs.append(("keepalives_idle", "15"))
            pairs.append(("keepalives_interval", "5"))
            pairs.append(("keepalives_count", "3"))
        }
        if let searchPath, !searchPath.isEmpty {
            // Spaces and backslashes in `options` must be backslash-escaped.
            let path = searchPath.map { PostgresQuery.quoteIdentifier($0) }.joined(separator: ",")
            let escaped = path.replacingAll("\\", with: "\\\\").replacingAll(" ", with: "\\ ")
            pairs.append(("options", "-c search_path=\(escaped)"))
        }
        return pairs
    }

    /// The connection string with any password removed, for messages and logs.
    public var redactedDescription: String {
        if connectionString.isEmpty { return "(libpq environment)" }
        var text = connectionString
        if let range = text.range(of: "://"), let at = text.range(of: "@", range: range.upperBound..<text.endIndex) {
            let userinfo = text[range.upperBound..<at.lowerBound]
            if let colon = userinfo.firstIndex(of: ":") {
                text.replaceSubrange(colon..<at.lowerBound, with: ":***")
            }
        }
        if let range = text.range(of: "password=") {
            let end = text[range.upperBound...].firstIndex(of: " ") ?? text.endIndex
            text.replaceSubrange(range.upperBound..<end, with: "***")
        }
        return text
    }
}
