import Foundation
import QuarryPostgres
import QuarryTestSupport
import Testing

/// Logins the server refuses are not outages: they fail at once with a code and a hint, instead of being
/// retried for `reconnectTimeout` as an unreachable server is.
@Suite("Connection refusals")
struct ConnectionRefusalTests {
    static func configuration(user: String? = nil, database: String? = nil) throws -> PostgresConfiguration {
        var components = try #require(URLComponents(string: TestDatabase.connectionString))
        if let user { components.user = user }
        if let database { components.path = "/" + database }
        return PostgresConfiguration(connectionString: try #require(components.string), reconnectTimeout: .seconds(120))
    }

    static func refusal(_ configuration: PostgresConfiguration) async -> PostgresError? {
        let connection = PostgresConnection(configuration: configuration)
        defer { Task { await connection.close() } }
        do {
            try await connection.query("SELECT 1")
            return nil
        } catch {
            return error as? PostgresError
        }
    }

    @Test("an unknown database is databaseNotFound, not retried")
    func unknownDatabase() async throws {
        let started = ContinuousClock.now
        let error = await Self.refusal(try Self.configuration(database: "no_such_database_here"))
        #expect(error?.code == .databaseNotFound)
        #expect(error?.isRetryable == false)
        #expect(error?.hint?.contains("createdb") == true)
        // Not retried for the 120 s reconnect window.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("an unknown role is authenticationFailed, not retried")
    func unknownRole() async throws {
        let started = ContinuousClock.now
        let error = await Self.refusal(try Self.configuration(user: "no_such_role_here"))
        #expect(error?.code == .authenticationFailed)
        #expect(error?.isRetryable == false)
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("libpq's refusal messages are classified")
    func classification() {
        let target = "postgresql://u@h/db"
        #expect(PostgresError.classifyConnectFailure(#"connection to server at "127.0.0.1", port 5432 failed: FATAL:  password authentication failed for user "u""#, target: target).code == .authenticationFailed)
        #expect(PostgresError.classifyConnectFailure(#"FATAL:  no pg_hba.conf entry for host "10.0.0.1", user "u", database "db""#, target: target).code == .authenticationFailed)
        #expect(PostgresError.classifyConnectFailure(#"FATAL:  database "db" does not exist"#, target: target).code == .databaseNotFound)
        #expect(PostgresError.classifyConnectFailure(#"connection to server at "127.0.0.1", port 1 failed: Connection refused"#, target: target).code == .connectFailed)
    }
}
