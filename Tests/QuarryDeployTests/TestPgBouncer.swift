import Foundation
import QuarryPostgres
import QuarryTestSupport
import Testing

/// A PgBouncer of a test's own (Debian's `pgbouncer`) in front of the test database, running the
/// [pgbouncer] settings of deploy/pgbouncer/pgbouncer.ini with only addresses, files and authentication
/// replaced. As root it runs as the `postgres` user (PgBouncer refuses root), like the test cluster.
final class TestPgBouncer: Sendable {
    let port: Int
    let directory: String
    let process: ChildProcess
    /// The upstream database's name, which is also PgBouncer's name for it.
    let database: String

    /// A URL through PgBouncer to the test database.
    var url: String { "postgresql://quarry@127.0.0.1:\(port)/\(database)" }

    /// Starts one, runs `body`, and stops it whatever `body` does.
    static func with<T: Sendable>(_ body: (TestPgBouncer) async throws -> T) async throws -> T {
        let bouncer = try await start()
        do {
            let value = try await body(bouncer)
            await bouncer.stop()
            return value
        } catch {
            Issue.record("PgBouncer log:\n\(bouncer.log.suffix(3000))")
            await bouncer.stop()
            throw error
        }
    }

    private init(port: Int, directory: String, process: ChildProcess, database: String) {
        self.port = port
        self.directory = directory
        self.process = process
        self.database = database
    }

    private static func start() async throws -> TestPgBouncer {
        let binary = try #require(DeployTools.which("pgbouncer") ?? ["/usr/sbin/pgbouncer"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                  "pgbouncer is not installed: run scripts/install-deps.sh")
        // The test database's URL (make test's cluster, or the one the test process started itself).
        let upstream = try #require(URLComponents(string: TestDatabase.connectionString), "not a URL: \(TestDatabase.connectionString)")
        let upstreamHost = upstream.host ?? "127.0.0.1"
        let upstreamPort = String(upstream.port ?? 5432)
        let database = String(upstream.path.dropFirst()).isEmpty ? "postgres" : String(upstream.path.dropFirst())
        let asRoot = getuid() == 0
        var lastError: (any Error)?
        for _ in 0..<3 {
            let directory = NSTemporaryDirectory() + "quarry-pgbouncer-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let port = try PostgresCluster.freePort()
            let settings = try shippedSettings().merging([
                "listen_addr": "127.0.0.1", "listen_port": String(port), "unix_socket_dir": directory,
                "auth_type": "trust", "auth_file": directory + "/userlist.txt", "admin_users": "quarry", "stats_users": "quarry",
                "logfile": directory + "/pgbouncer.log", "pidfile": directory + "/pgbouncer.pid",
            ]) { _, test in test }
            let ini = "[databases]\n\(database) = host=\(upstreamHost) port=\(upstreamPort) dbname=\(database)\n\n[pgbouncer]\n"
                + settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)\n" }.joined()
            try ini.write(toFile: directory + "/pgbouncer.ini", atomically: true, encoding: .utf8)
            try "\"quarry\" \"\"\n".write(toFile: directory + "/userlist.txt", atomically: true, encoding: .utf8)
            if asRoot {
                for path in [directory, directory + "/pgbouncer.ini", directory + "/userlist.txt"] {
                    try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: path)
                }
            }
            let process = try ChildProcess(binary, (asRoot ? ["-u", "postgres"] : []) + [directory + "/pgbouncer.ini"])
            let bouncer = TestPgBouncer(port: port, directory: directory, process: process, database: database)
            if await eventually(timeout: .seconds(10), { await bouncer.answers() }) { return bouncer }
            lastError = DeployTestError("pgbouncer did not answer on port \(port): \(process.output) \(bouncer.log)")
            await bouncer.stop()
        }
        throw lastError ?? DeployTestError("pgbouncer did not start")
    }

    /// The [pgbouncer] section of deploy/pgbouncer/pgbouncer.ini as key → value.
    static func shippedSettings() throws -> [String: String] {
        let text = try String(contentsOfFile: DeployTools.path("pgbouncer/pgbouncer.ini"), encoding: .utf8)
        var section = ""
        var settings: [String: String] = [:]
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix(";") || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") { section = line; continue }
            guard section == "[pgbouncer]", let equals = line.firstIndex(of: "=") else { continue }
            settings[line[..<equals].trimmingCharacters(in: .whitespaces)] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return settings
    }

    /// True when a query through PgBouncer succeeds.
    func answers() async -> Bool {
        let connection = PostgresConnection(
            configuration: PostgresConfiguration(connectionString: url, applicationName: "quarry-test-pgbouncer", connectTimeoutSeconds: 2, reconnectTimeout: .seconds(1)))
        let answered = (try? await connection.query("SELECT 1 AS one")) != nil
        await connection.close()
        return answered
    }

    /// Rows of an admin console command (`SHOW STATS`, …) as column → value, through psql.
    func admin(_ command: String) async throws -> [[String: String]] {
        let result = try await ChildProcess.complete(["psql", "-X", "-h", "127.0.0.1", "-p", String(port), "-U", "quarry", "-d", "pgbouncer", "-A", "-F", "\t", "-c", command])
        try #require(result.status == 0, "psql \(command): \(result.output)")
        let lines = result.output.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("(") }
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) else { return [] }
        return lines.dropFirst().map { line in
            Dictionary(uniqueKeysWithValues: zip(header, line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)))
        }
    }

    var log: String { (try? String(contentsOfFile: directory + "/pgbouncer.log", encoding: .utf8)) ?? "" }

    func stop() async {
        process.signal(SIGTERM)
        _ = await process.waitForExit(timeout: .seconds(10))
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A failure of the test's own machinery (a port, a process), with what went wrong.
struct DeployTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
