import Foundation
import QuarryPostgres
import Synchronization
import Testing

/// The cluster a test process starts for itself when `QUARRY_DATABASE_URL` is unset: started once, on
/// first use, and stopped and deleted when the process exits.
enum ProcessCluster {
    /// The cluster's URL. When it could not be started, every test that asks for the database gets an
    /// issue saying why (once per test), and a URL naming a closed port, so its queries fail at once.
    static var connectionString: String {
        switch outcome {
        case .started(let url):
            return url
        case .failed(let reason):
            reportToCurrentTest(reason)
            return "postgresql://quarry@127.0.0.1:1/postgres?connect_timeout=1"
        }
    }

    /// True when the cluster was needed and could not be started.
    static var failedToStart: Bool {
        if case .failed = outcome { return true }
        return false
    }

    private enum Outcome {
        case started(String)
        case failed(String)
    }

    private static let outcome: Outcome = {
        do {
            let directory = URL(fileURLWithPath: NSTemporaryDirectory())
                .appendingPathComponent("quarry-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
            let cluster = try PostgresCluster.prepare(at: directory)
            started.withLock { $0 = cluster }
            atexit { ProcessCluster.started.withLock { $0?.destroy() } }
            try cluster.start()
            FileHandle.standardError.write(Data("tests: started a private PostgreSQL cluster on port \(cluster.port) (QUARRY_DATABASE_URL is unset)\n".utf8))
            // `quarry` processes the tests start inherit the environment: point them at this cluster too, as
            // `make test` does with the cluster it starts. (Only a bare `swift test` gets here.)
            setenv("QUARRY_DATABASE_URL", cluster.connectionString, 1)
            return .started(cluster.connectionString)
        } catch {
            let reason = """
                QUARRY_DATABASE_URL is unset and the tests could not start a private PostgreSQL cluster: \(error)
                Install PostgreSQL (scripts/install-deps.sh), run the tests with `make test`, or set QUARRY_DATABASE_URL \
                to a server the tests may create schemas in.
                """
            FileHandle.standardError.write(Data("tests: \(reason)\n".utf8))
            return .failed(reason)
        }
    }()

    private static let started = Mutex<PostgresCluster?>(nil)
    private static let reported = Mutex<Set<Test.ID>>([])

    /// Records the reason as an issue of the running test, once per test, so that its failure says why
    /// instead of only "connection refused".
    private static func reportToCurrentTest(_ reason: String) {
        guard let test = Test.current, reported.withLock({ $0.insert(test.id).inserted }) else { return }
        Issue.record(Comment(rawValue: reason))
    }
}
