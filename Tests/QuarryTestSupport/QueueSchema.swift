import Foundation
import QuarryPostgres

extension TestDatabase {
    /// A fresh schema with every Quarry migration applied; returns its name.
    public static func migratedSchema(pool: PostgresPool, prefix: String = "q") async throws -> String {
        let schema = uniqueSchema(prefix)
        try await PostgresMigrator(pool: pool, schema: schema, migrations: try Migration.load(from: migrationsDirectory)).migrate()
        return schema
    }
}

extension TestDatabase {
    /// Drops a test's schema and everything in it; teardown, so failures are ignored.
    public static func dropSchema(_ schema: String, pool: PostgresPool) async {
        _ = try? await pool.query("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE")
    }
}

extension TestDatabase {
    /// A pool and a fresh schema with every migration applied on it; the pool is closed when migrating fails.
    public static func migratedPool(maxConnections: Int, prefix: String = "q") async throws -> (pool: PostgresPool, schema: String) {
        let pool = TestDatabase.pool(maxConnections: maxConnections)
        do {
            return (pool, try await migratedSchema(pool: pool, prefix: prefix))
        } catch {
            await pool.close()
            throw error
        }
    }
}
