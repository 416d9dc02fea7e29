import Foundation
import QuarryPostgres

extension TestDatabase {
    /// A fresh schema with every Quarry migration applied; returns its name.
    public static func migratedSchema(pool: PostgresPool, prefix: String = "q") async throws -> String {
        let schema = uniqueSchema(prefix)
        try await PostgresMigrator(pool: pool, schema: schema, migrations: try Migration.load(from: migrationsDirectory)).migrate()
        return schema
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    public static func eventually(timeout: Duration, every interval: Duration = .milliseconds(100), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: interval)
        }
        return try await condition()
    }
}
