import Foundation
import QuarryPostgres
import QuarryTestSupport
import Testing

@Suite("Migrations")
struct MigratorTests {
    let pool = TestDatabase.pool(maxConnections: 4)

    func folder(_ files: [String: String]) throws -> URL {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, sql) in files { try sql.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return directory
    }

    let files = [
        "0001_items.sql": "CREATE TABLE items (id bigserial PRIMARY KEY, name text NOT NULL);",
        "0002_index.sql": "CREATE INDEX items_name ON items (name);\nINSERT INTO items (name) VALUES ('seed');",
    ]

    @Test("applies in order, records them, and a rerun applies nothing")
    func idempotent() async throws {
        let schema = TestDatabase.uniqueSchema("mig")
        let migrations = try Migration.load(from: try folder(files))
        let migrator = PostgresMigrator(pool: pool, schema: schema, migrations: migrations)
        #expect(try await migrator.status().map(\.state) == [.pending, .pending])
        #expect(try await migrator.migrate() == ["0001_items.sql", "0002_index.sql"])
        #expect(try await migrator.migrate() == [])
        #expect(try await migrator.status().map(\.state) == [.applied, .applied])
        let rows = try await pool.query("SELECT count(*) AS n FROM \(identifier: schema).items")
        #expect(try rows[0].decode(Int.self, "n") == 1)
    }

    @Test("two migrators at once apply each file exactly once")
    func concurrent() async throws {
        let schema = TestDatabase.uniqueSchema("mig")
        let migrations = try Migration.load(from: try folder(files))
        let one = PostgresMigrator(pool: TestDatabase.pool(maxConnections: 1), schema: schema, migrations: migrations)
        let two = PostgresMigrator(pool: TestDatabase.pool(maxConnections: 1), schema: schema, migrations: migrations)
        async let a = one.migrate()
        async let b = two.migrate()
        let applied = try await a + b
        #expect(applied.sorted() == ["0001_items.sql", "0002_index.sql"])
        let rows = try await pool.query("SELECT count(*) AS n FROM \(identifier: schema).items")
        #expect(try rows[0].decode(Int.self, "n") == 1)
    }

    @Test("an applied file that was edited stops the run with its name")
    func editedFile() async throws {
        let schema = TestDatabase.uniqueSchema("mig")
        let directory = try folder(files)
        try await PostgresMigrator(pool: pool, schema: schema, migrations: try Migration.load(from: directory)).migrate()
        try "CREATE TABLE items (id int);".write(to: directory.appendingPathComponent("0001_items.sql"), atomically: true, encoding: .utf8)
        try "CREATE TABLE more (id int);".write(to: directory.appendingPathComponent("0003_more.sql"), atomically: true, encoding: .utf8)
        let migrator = PostgresMigrator(pool: pool, schema: schema, migrations: try Migration.load(from: directory))
        let error = await #expect(throws: MigrationError.self) { try await migrator.migrate() }
        #expect(error?.code == .edited)
        #expect(error?.message.contains("0001_items.sql") == true)
        #expect(try await migrator.status().map(\.state) == [.edited, .applied, .pending])
        // Nothing after the refusal was applied.
        let rows = try await pool.query("SELECT to_regclass(\(schema + ".more")) IS NULL AS absent")
        #expect(try rows[0].decode(Bool.self, "absent"))
    }

    @Test("a failing migration rolls back and names its file")
    func failingMigration() async throws {
        let schema = TestDatabase.uniqueSchema("mig")
        let directory = try folder(["0001_ok.sql": "CREATE TABLE a (id int);", "0002_bad.sql": "CREATE TABLE b (id int);\nSELEC oops;"])
        let migrator = PostgresMigrator(pool: pool, schema: schema, migrations: try Migration.load(from: directory))
        let error = await #expect(throws: MigrationError.self) { try await migrator.migrate() }
        #expect(error?.code == .failed)
        #expect(error?.file == "0002_bad.sql")
        #expect(try await migrator.status().map(\.state) == [.applied, .pending])
        let rows = try await pool.query("SELECT to_regclass(\(schema + ".b")) IS NULL AS absent")
        #expect(try rows[0].decode(Bool.self, "absent"))
    }

    @Test("badly named files are refused")
    func badName() throws {
        let directory = try folder(["add_things.sql": "SELECT 1;"])
        #expect(throws: MigrationError.self) { try Migration.load(from: directory) }
    }
}
