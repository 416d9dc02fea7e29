import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Testing

@testable import QuarryCLI

/// What `quarry worker --health-port` answers for each state of the worker's registry row.
@Suite("Worker health probes")
struct WorkerHealthTests {
    struct Unreachable: Error {}

    static func health(_ observed: Result<WorkerHeartbeat?, any Error>) -> WorkerHealth {
        WorkerHealth(worker: "host:1:abc", observed: observed, lease: .seconds(30), heartbeatInterval: .seconds(5))
    }

    static func row(_ state: String, _ age: Double) -> Result<WorkerHeartbeat?, any Error> {
        .success(WorkerHeartbeat(state: state, secondsSinceHeartbeat: age, inFlight: 3))
    }

    @Test("alive with a fresh heartbeat: live and ready")
    func fresh() {
        let health = Self.health(Self.row("alive", 2))
        #expect(health.live && health.ready)
        let body = String(decoding: health.json, as: UTF8.self)
        #expect(body.contains(#""state":"alive""#) && body.contains(#""database":"ok""#) && body.contains(#""in_flight":3"#))
    }

    @Test("heartbeat older than the lease: not ready, still live until lease + interval")
    func late() {
        let late = Self.health(Self.row("alive", 31))
        #expect(!late.ready && late.live)
        let lapsed = Self.health(Self.row("alive", 36))
        #expect(!lapsed.ready && !lapsed.live)
    }

    @Test("marked gone by the rescuer: neither live nor ready")
    func gone() {
        let health = Self.health(Self.row("gone", 40))
        #expect(!health.ready && !health.live)
    }

    @Test("database unreachable: not ready, but live (a restart would not help)")
    func unreachable() {
        let health = Self.health(.failure(Unreachable()))
        #expect(!health.ready && health.live)
        #expect(String(decoding: health.json, as: UTF8.self).contains(#""database":"unreachable""#))
    }

    @Test("not registered yet or draining: not ready, live")
    func startingOrStopping() {
        for observed in [Self.health(.success(nil)), Self.health(Self.row("stopping", 1)), Self.health(Self.row("stopped", 1))] {
            #expect(!observed.ready && observed.live)
        }
    }
}

/// `quarry worker --health-port` as a process: what Kubernetes' probes get.
@Suite("Worker health endpoint", .serialized)
struct WorkerHealthEndpointTests {
    static func get(_ port: Int, _ path: String) async throws -> (code: String, body: String) {
        let result = try await ChildProcess.complete(["curl", "-s", "-m", "10", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(path)"])
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n"))
    }

    static func worker(url: String, port: Int, schema: String = "quarry") throws -> ChildProcess {
        try ChildProcess(
            TestDatabase.quarryExecutable,
            ["worker", "--database-url", url, "--schema", schema, "--kinds", "noop", "--health-port", String(port), "--health-host", "127.0.0.1",
             "--lease-seconds", "4", "--heartbeat-seconds", "1"])
    }

    @Test("a working worker is ready and live; its body shows the heartbeat", .timeLimit(.minutes(2)))
    func ready() async throws {
        let pool = TestDatabase.pool(maxConnections: 1)
        let schema = try await TestDatabase.migratedSchema(pool: pool, prefix: "health")
        await pool.close()
        let port = try PostgresCluster.freePort()
        let worker = try Self.worker(url: TestDatabase.connectionString, port: port, schema: schema)
        var answer = (code: "", body: "")
        let became = try await eventually(timeout: .seconds(30)) {
            answer = try await Self.get(port, "/readyz")
            return answer.code == "200"
        }
        #expect(became, "readyz: \(answer) worker: \(worker.output.suffix(1000))")
        #expect(answer.body.contains(#""state":"alive""#) && answer.body.contains(#""seconds_since_heartbeat""#))
        #expect(try await Self.get(port, "/livez").code == "200")
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
    }

    @Test("database unreachable: /readyz 503 naming it, /livez 200", .timeLimit(.minutes(2)))
    func unreachable() async throws {
        let nowhere = "postgresql://quarry@127.0.0.1:\(try PostgresCluster.freePort())/postgres"
        let port = try PostgresCluster.freePort()
        let worker = try Self.worker(url: nowhere, port: port)
        var answer = (code: "", body: "")
        let answered = try await eventually(timeout: .seconds(30)) {
            answer = try await Self.get(port, "/readyz")
            return answer.code != "000"
        }
        #expect(answered, "worker: \(worker.output.suffix(1000))")
        #expect(answer.code == "503" && answer.body.contains(#""database":"unreachable""#), "readyz: \(answer)")
        #expect(try await Self.get(port, "/livez").code == "200")
        worker.signal(SIGKILL)
        _ = await worker.waitForExit(timeout: .seconds(10))
    }

    @Test("a port already taken: the worker exits at once, saying so")
    func portTaken() async throws {
        // Take a port with a worker's own health endpoint, then ask a second worker for the same one.
        let port = try PostgresCluster.freePort()
        let holder = try Self.worker(url: "postgresql://quarry@127.0.0.1:\(try PostgresCluster.freePort())/postgres", port: port)
        defer { holder.signal(SIGKILL) }
        #expect(try await eventually(timeout: .seconds(30)) { try await Self.get(port, "/livez").code == "200" })
        // An unreachable database keeps the worker retrying, so only the port can end it.
        let second = try Self.worker(url: "postgresql://quarry@127.0.0.1:\(try PostgresCluster.freePort())/postgres", port: port)
        let status = await second.waitForExit(timeout: .seconds(30))
        #expect(status != nil && status != 0)
        #expect(second.output.contains("health endpoint") && second.output.contains("\(port)"), "worker said: \(second.output.suffix(1000))")
    }
}
