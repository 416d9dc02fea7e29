import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Synchronization

/// A migrated schema, a queue with short timings, and helpers to run in-process workers.
struct QueueHarness {
    let pool: PostgresPool
    let schema: String
    let queue: TaskQueue

    static func make(lease: Duration = .seconds(2), heartbeat: Duration = .milliseconds(300), maxSnoozes: Int = 100) async throws -> QueueHarness {
        let pool = TestDatabase.pool(maxConnections: 6)
        let schema = try await TestDatabase.migratedSchema(pool: pool)
        let configuration = QueueConfiguration(
            schema: schema, leaseDuration: lease, heartbeatInterval: heartbeat, maxSnoozes: maxSnoozes,
            flushInterval: .milliseconds(20), pollInterval: .milliseconds(200))
        return QueueHarness(pool: pool, schema: schema, queue: TaskQueue(pool: pool, configuration: configuration))
    }

    /// Runs `body` with a fresh harness and always shuts it down, whatever the body does.
    static func with<T>(_ body: (QueueHarness) async throws -> T) async throws -> T {
        let h = try await make()
        do {
            let value = try await body(h)
            await h.shutdown()
            return value
        } catch {
            await h.shutdown()
            throw error
        }
    }

    func count(_ sql: PostgresQuery) async throws -> Int {
        try await pool.query(sql)[0].decode(Int.self, at: 0)
    }

    func states(build: Int) async throws -> [String: Int] {
        let rows = try await pool.query("SELECT state, count(*) AS n FROM \(identifier: schema).tasks WHERE build_id = \(build) GROUP BY state")
        var result: [String: Int] = [:]
        for row in rows { result[try row.decode(String.self, "state")] = try row.decode(Int.self, "n") }
        return result
    }

    /// Runs `worker` until `until` holds (or the timeout), then shuts it down and waits for it.
    func run(_ worker: Worker, timeout: Duration = .seconds(30), until condition: @escaping @Sendable () async throws -> Bool) async throws -> Bool {
        let running = Task { try await worker.run() }
        let reached = try await eventually(timeout: timeout, condition)
        worker.requestShutdown()
        try await running.value
        return reached
    }

    func shutdown() async {
        await pool.close()
    }
}

/// Counts how many times each task id ran.
final class ExecutionCounter: Sendable {
    private let counts = Mutex<[Int: Int]>([:])
    func record(_ id: Int) { counts.withLock { $0[id, default: 0] += 1 } }
    var snapshot: [Int: Int] { counts.withLock { $0 } }
}

/// A handler driven by a closure, for tests.
struct ClosureHandler: TaskHandler {
    let retryStrategy: any RetryStrategy
    let body: @Sendable (ClaimedTask) async throws -> TaskOutput

    init(retry: any RetryStrategy = FixedDelay(.milliseconds(50)), _ body: @escaping @Sendable (ClaimedTask) async throws -> TaskOutput) {
        self.retryStrategy = retry
        self.body = body
    }

    func handle(_ task: ClaimedTask, context: TaskContext) async throws -> TaskOutput { try await body(task) }
}

extension HandlerRegistry {
    static func with(_ kind: String, _ handler: any TaskHandler) -> HandlerRegistry {
        var registry = HandlerRegistry()
        registry.register(kind, handler)
        return registry
    }
}
