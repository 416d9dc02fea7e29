import Foundation
import QuarryPostgres

/// A database login of a test's own, a member of one of Quarry's roles (`quarry_worker`, …): the way
/// operators deploy workers. The test cluster trusts loopback connections, so the login needs no password.
public struct TestLogin: Sendable {
    public let name: String
    /// The test database's connection string with this login as the user.
    public let url: String

    /// Creates the login (roles are cluster-wide, so the name is unique per call).
    public static func create(memberOf role: String) async throws -> TestLogin {
        let name = TestDatabase.uniqueSchema("login")
        let connection = PostgresConnection(configuration: TestDatabase.configuration(applicationName: "quarry-test-roles"))
        do {
            try await connection.query("CREATE ROLE \(identifier: name) LOGIN IN ROLE \(identifier: role)")
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        // QUARRY_DATABASE_URL is a postgresql:// URL (scripts/with-postgres.sh); only its user changes.
        var components = URLComponents(string: TestDatabase.connectionString) ?? URLComponents()
        components.user = name
        components.password = nil
        return TestLogin(name: name, url: components.string ?? TestDatabase.connectionString)
    }

    /// A pool connected as this login.
    public func pool(maxConnections: Int = 2) -> PostgresPool {
        PostgresPool(
            configuration: PostgresConfiguration(connectionString: url, applicationName: "quarry-test-\(name)", reconnectTimeout: .seconds(10)),
            maxConnections: maxConnections)
    }
}
