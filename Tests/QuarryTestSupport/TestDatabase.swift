import Foundation
import QuarryPostgres

/// The PostgreSQL server the tests run against: `QUARRY_DATABASE_URL` when set (`make test` starts a
/// throwaway cluster and exports it), else a private cluster this test process starts on first use and
/// deletes when it exits, so a bare `swift test` works too. Each test that creates objects does so in a
/// schema of its own.
public enum TestDatabase {
    public static var connectionString: String {
        if let url = ProcessInfo.processInfo.environment["QUARRY_DATABASE_URL"], !url.isEmpty { return url }
        return ProcessCluster.connectionString
    }

    public static func configuration(applicationName: String = "quarry-test", searchPath: [String]? = nil) -> PostgresConfiguration {
        PostgresConfiguration(
            connectionString: connectionString, applicationName: applicationName, searchPath: searchPath,
            reconnectTimeout: .seconds(30))
    }

    public static func pool(maxConnections: Int = 4, searchPath: [String]? = nil) -> PostgresPool {
        PostgresPool(configuration: configuration(searchPath: searchPath), maxConnections: maxConnections)
    }

    /// A fresh schema name, unique to this process and call.
    public static func uniqueSchema(_ prefix: String = "t") -> String {
        "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased())"
    }

    /// Terminates the server process behind `pid`, as an operator or a crash would.
    public static func terminate(backend pid: Int32) async throws {
        let connection = PostgresConnection(configuration: configuration(applicationName: "quarry-test-terminator"))
        do {
            try await connection.query("SELECT pg_terminate_backend(\(pid))")
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }

    /// The repository root (for migrations and the built executable).
    public static var repositoryRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }
}

/// A PostgreSQL server of a test's own, for tests that restart or stop the database.
public final class PrivateCluster: Sendable {
    public let cluster: PostgresCluster

    /// Starts a new cluster; tries again on a fresh port if the first start fails (another test may have
    /// taken the port between choosing and binding it).
    public init() throws {
        var attempt = 0
        while true {
            attempt += 1
            let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("quarry-private-\(UUID().uuidString.prefix(8))")
            do {
                let candidate = try PostgresCluster.prepare(at: directory)
                do {
                    try candidate.start()
                } catch {
                    candidate.destroy()
                    throw error
                }
                cluster = candidate
                return
            } catch where attempt < 3 {
                continue
            }
        }
    }

    public func configuration(applicationName: String = "quarry-test") -> PostgresConfiguration {
        PostgresConfiguration(connectionString: cluster.connectionString, applicationName: applicationName, reconnectTimeout: .seconds(60))
    }

    deinit { cluster.destroy() }
}
