import ArgumentParser
import Foundation
import QuarryPostgres

/// Options every subcommand that talks to PostgreSQL shares.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: "PostgreSQL URL or conninfo. Default: QUARRY_DATABASE_URL, else libpq's PGHOST/PGPORT/PGUSER/PGDATABASE.")
    var databaseURL: String?

    @Option(help: "Schema holding Quarry's tables and views (default: QUARRY_SCHEMA or 'quarry').")
    var schema: String = ProcessInfo.processInfo.environment["QUARRY_SCHEMA"] ?? "quarry"

    @Option(help: "Log level: trace, debug, info, notice, warning, error (default: QUARRY_LOG_LEVEL or info).")
    var logLevel: String = ProcessInfo.processInfo.environment["QUARRY_LOG_LEVEL"] ?? "info"

    func validate() throws {
        guard !schema.isEmpty, schema.count <= 63 else {
            throw ValidationError("--schema must be 1 to 63 characters")
        }
    }

    /// Connection settings for a process playing `role` (shown in pg_stat_activity as quarry-ROLE:HOST:PID).
    /// `url` overrides --database-url (e.g. --listen-database-url). `pooled`: the URL is a transaction-mode
    /// pooler, so no startup `options` (PgBouncer refuses them; every statement names the schema anyway).
    func configuration(role: String, url: String? = nil, pooled: Bool = false) -> PostgresConfiguration {
        let host = ProcessInfo.processInfo.hostName
        let pid = ProcessInfo.processInfo.processIdentifier
        return PostgresConfiguration.resolve(
            explicit: url ?? databaseURL, applicationName: "quarry-\(role):\(host):\(pid)", searchPath: pooled ? nil : [schema, "public"])
    }

    /// QUARRY_LISTEN_DATABASE_URL when set: a direct URL beside a QUARRY_DATABASE_URL that goes through a
    /// transaction-mode pooler (see `QueueOptions.listenDatabaseURL`).
    static var environmentListenURL: String? {
        let url = ProcessInfo.processInfo.environment["QUARRY_LISTEN_DATABASE_URL"]
        return url?.isEmpty == false ? url : nil
    }

    /// Runs `body` with a pool for `role`, closing it afterwards. With QUARRY_LISTEN_DATABASE_URL set, every
    /// command treats the database URL as pooled (no startup options), and one that `needsSession` (a
    /// session advisory lock: `migrate`) connects to the listen URL instead, unless --database-url is given.
    func withPool<T: Sendable>(
        role: String, maxConnections: Int = 4, pooled: Bool = false, needsSession: Bool = false,
        _ body: (PostgresPool) async throws -> T
    ) async throws -> T {
        let direct = needsSession && databaseURL == nil ? Self.environmentListenURL : nil
        let settings =
            direct.map { configuration(role: role, url: $0) }
            ?? configuration(role: role, pooled: pooled || Self.environmentListenURL != nil)
        let pool = PostgresPool(configuration: settings, maxConnections: maxConnections)
        do {
            let value = try await body(pool)
            await pool.close()
            return value
        } catch {
            await pool.close()
            throw CommandError.notMigrated(error, schema: schema) ?? error
        }
    }
}
