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
