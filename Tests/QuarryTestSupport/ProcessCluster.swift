import Foundation
import QuarryPostgres
import Synchronization

/// The cluster a test process starts for itself when `QUARRY_DATABASE_URL` is unset: started once, on
/// first use, and stopped and deleted when the process exits.
enum ProcessCluster {
    /// The cluster's URL; when it could not be started, the reason goes to standard error and the URL
    /// names a closed port, so every test that needs the database fails with a connection error.
    static let connectionString: String = {
        do {
            let directory = URL(fileURLWithPath: NSTemporaryDirectory())
                .appendingPathComponent("quarry-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
            let cluster = try PostgresCluster.prepare(at: directory)
            started.withLock { $0 = cluster }
            atexit { ProcessCluster.started.withLock { $0?.destroy() } }
            try cluster.start()
            FileHandle.standardError.write(Data("tests: started a private PostgreSQL cluster on port \(cluster.port) (QUARRY_DATABASE_URL is unset)\n".utf8))
            return cluster.connectionString
        } catch {
            FileHandle.standardError.write(Data("""
                tests: QUARRY_DATABASE_URL is unset and no private PostgreSQL cluster could be started: \(error)
                Install PostgreSQL (scripts/install-deps.sh) or run the tests with `make test`.

                """.utf8))
            return "postgresql://quarry@127.0.0.1:1/postgres?connect_timeout=1"
        }
    }()

    static let started = Mutex<PostgresCluster?>(nil)
}
