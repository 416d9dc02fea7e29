import ArgumentParser
import Foundation
import QuarryPostgres

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a demo build end to end (the README's main command).",
        discussion: """
            With nothing configured, starts a private PostgreSQL cluster under .quarry/ (as the unprivileged \
            'postgres' user when run as root) and migrates it. With --database-url it uses that server instead.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Folder for the private PostgreSQL cluster used when no database is configured.")
    var home: String = ".quarry"

    @Option(help: "Folder of NNNN_name.sql files (default: QUARRY_MIGRATIONS or the nearest migrations/).")
    var migrations: String?

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        var database = database
        var cluster: PostgresCluster?
        if database.databaseURL == nil && ProcessInfo.processInfo.environment["QUARRY_DATABASE_URL"] == nil {
            let directory = URL(fileURLWithPath: home).appendingPathComponent("postgres").standardizedFileURL
            print("starting a private PostgreSQL cluster in \(directory.path) …")
            let embedded = try PostgresCluster.prepare(at: directory)
            try embedded.start()
            cluster = embedded
            database.databaseURL = embedded.connectionString
            print("PostgreSQL is up at \(embedded.connectionString)")
        }
        defer {
            if let cluster {
                try? cluster.stop()
                print("stopped the private PostgreSQL cluster")
            }
        }
        try await database.withPool(role: "demo", maxConnections: 1) { pool in
            try await MigrateCommand.run(pool: pool, schema: database.schema, migrationsPath: migrations, statusOnly: false)
            try await MigrateCommand.run(pool: pool, schema: database.schema, migrationsPath: migrations, statusOnly: true)
        }
    }
}
