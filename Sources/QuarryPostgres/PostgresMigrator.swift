import Foundation
import Logging

/// Applies `Migration`s in order into one schema, each in its own transaction, under an advisory lock
/// so that two migrators started at once apply everything exactly once. Applied files are recorded with
/// a checksum; a file edited after it was applied stops the run with an error naming it.
public struct PostgresMigrator: Sendable {
    public struct Status: Sendable, Equatable {
        public enum State: String, Sendable { case applied, pending, edited, missingFile = "missing file" }
        public var version: Int
        public var name: String
        public var state: State
        public var appliedAt: Date?
    }

    public let pool: PostgresPool
    public let schema: String
    public let migrations: [Migration]
    let logger: Logger

    /// Key of the session advisory lock held while migrating ("QRRYMIGR").
    static let lockKey = 0x5152_5259_4D49_4752

    public init(pool: PostgresPool, schema: String = "quarry", migrations: [Migration], logger: Logger = Logger(label: "quarry.migrate")) {
        self.pool = pool
        self.schema = schema
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies the pending migrations and returns their file names.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await pool.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))")
            do {
                let applied = try await apply(on: connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
                throw error
            }
        }
    }

    /// Every migration, applied or not, plus applied ones whose file has gone.
    public func status() async throws -> [Status] {
        try await pool.withConnection { connection in
            let recorded = try await recordedMigrations(on: connection, create: false)
            return try await statuses(recorded: recorded, on: connection)
        }
    }

    private struct Recorded: Sendable {
        var version: Int
        var name: String
        var checksum: String
        var appliedAt: Date
    }

    private func apply(on connection: PostgresConnection) async throws -> [String] {
        try await connection.query("CREATE SCHEMA IF NOT EXISTS \(identifier: schema)")
        let recorded = try await recordedMigrations(on: connection, create: true)
        let states = try await statuses(recorded: recorded, on: connection)
        if let edited = states.first(where: { $0.state == .edited }) {
            let file = migrations.first { $0.version == edited.version }?.fileName ?? "\(edited.version)"
            throw MigrationError(
                code: .edited,
                message: "\(file) was changed after it was applied; put the change in a new migration file and restore \(file)",
                file: file)
        }
        var applied: [String] = []
        for migration in migrations where !recorded.contains(where: { $0.version == migration.version }) {
            let started = ContinuousClock.now
            do {
                try await connection.transaction { connection in
                    try await connection.query("SET LOCAL search_path TO \(identifier: schema), public")
                    try await connection.executeScript(migration.sql)
                    let checksum = try await checksum(of: migration, on: connection)
                    try await connection.query(
                        """
                        INSERT INTO \(identifier: schema).schema_migrations (version, name, checksum)
                        VALUES (\(migration.version), \(migration.name), \(checksum))
                        """)
                }
            } catch let error as PostgresError {
                throw MigrationError(code: .failed, message: "\(migration.fileName) failed and was rolled back: \(error)", file: migration.fileName)
            }
            logger.info("applied \(migration.fileName) in \(ContinuousClock.now - started)")
            applied.append(migration.fileName)
        }
        return applied
    }

    private func recordedMigrations(on connection: PostgresConnection, create: Bool) async throws -> [Recorded] {
        if create {
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS \(identifier: schema).schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
        } else {
            let exists = try await connection.query(
                "SELECT to_regclass(\(PostgresQuery.quoteIdentifier(schema) + ".schema_migrations")) IS NOT NULL AS present")
            guard try exists.firstRow?.decode(Bool.self, "present") == true else { return [] }
        }
        let rows = try await connection.query(
            "SELECT version, name, checksum, applied_at FROM \(identifier: schema).schema_migrations ORDER BY version")
        return try rows.map {
            Recorded(
                version: try $0.decode(Int.self, "version"), name: try $0.decode(String.self, "name"),
                checksum: try $0.decode(String.self, "checksum"), appliedAt: try $0.decode(Date.self, "applied_at"))
        }
    }

    private func statuses(recorded: [Recorded], on connection: PostgresConnection) async throws -> [Status] {
        var result: [Status] = []
        for migration in migrations {
            if let record = recorded.first(where: { $0.version == migration.version }) {
                let same = try await checksum(of: migration, on: connection) == record.checksum
                result.append(Status(version: migration.version, name: migration.name, state: same ? .applied : .edited, appliedAt: record.appliedAt))
            } else {
                result.append(Status(version: migration.version, name: migration.name, state: .pending, appliedAt: nil))
            }
        }
        for record in recorded where !migrations.contains(where: { $0.version == record.version }) {
            result.append(Status(version: record.version, name: record.name, state: .missingFile, appliedAt: record.appliedAt))
        }
        return result.sorted { $0.version < $1.version }
    }

    /// SHA-256 of the file's text, computed by the server so client and server agree on bytes.
    private func checksum(of migration: Migration, on connection: PostgresConnection) async throws -> String {
        let rows = try await connection.query("SELECT encode(sha256(convert_to(\(migration.sql), 'UTF8')), 'hex') AS sum")
        guard let row = rows.firstRow else {
            throw PostgresError(code: .other, message: "the checksum query for \(migration.fileName) returned no row")
        }
        return try row.decode(String.self, "sum")
    }
}
