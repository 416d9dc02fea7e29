import ArgumentParser
import Foundation
import QuarryPostgres

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations (or list them with --status).",
        discussion: """
            Each file migrations/NNNN_name.sql runs once, in order, in its own transaction, under an advisory \
            lock, so two migrators at once are safe. A file edited after it was applied stops the run.
            """)

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "List applied and pending migrations instead of applying them.")
    var status = false

    @Option(help: "Folder of NNNN_name.sql files (default: QUARRY_MIGRATIONS or the nearest migrations/).")
    var migrations: String?

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        try await database.withPool(role: "migrate", maxConnections: 1, needsSession: true) { pool in
            try await Self.run(pool: pool, schema: database.schema, migrationsPath: migrations, statusOnly: status)
        }
    }

    static func run(pool: PostgresPool, schema: String, migrationsPath: String?, statusOnly status: Bool) async throws {
        let migrator = PostgresMigrator(pool: pool, schema: schema, migrations: try MigrationsLocator.load(explicit: migrationsPath))
        if status {
            print(MigrationStatusReport.render(try await migrator.status()))
        } else {
            let applied = try await migrator.migrate()
            print(applied.isEmpty ? "schema \(schema) is up to date" : "applied: \(applied.joined(separator: ", "))")
        }
    }
}

enum MigrationStatusReport {
    static func render(_ statuses: [PostgresMigrator.Status]) -> String {
        var lines = ["version  state        applied at                 name"]
        let formatter = ISO8601DateFormatter()
        for status in statuses {
            let when = status.appliedAt.map { formatter.string(from: $0) } ?? "-"
            lines.append(
                String(format: "%04d     %@ %@ %@", status.version,
                       status.state.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0),
                       when.padding(toLength: 26, withPad: " ", startingAt: 0), status.name))
        }
        return lines.joined(separator: "\n")
    }
}
