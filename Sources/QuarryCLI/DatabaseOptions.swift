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
    func configuration(role: String) -> PostgresConfiguration {
        let host = ProcessInfo.processInfo.hostName
        let pid = ProcessInfo.processInfo.processIdentifier
        return PostgresConfiguration.resolve(
            explicit: databaseURL, applicationName: "quarry-\(role):\(host):\(pid)", searchPath: [schema, "public"])
    }

    /// Runs `body` with a pool for `role`, closing it afterwards.
    func withPool<T: Sendable>(role: String, maxConnections: Int = 4, _ body: (PostgresPool) async throws -> T) async throws -> T {
        let pool = PostgresPool(configuration: configuration(role: role), maxConnections: maxConnections)
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
