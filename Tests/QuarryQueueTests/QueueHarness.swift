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

    /// A harness for the duration of `body`: the schema is dropped and the pool closed when `body` returns
    /// or throws.
    static func with<T>(
        lease: Duration = .seconds(2), heartbeat: Duration = .milliseconds(300), maxSnoozes: Int = 100,
        isolation: isolated (any Actor)? = #isolation, _ body: (QueueHarness) async throws -> T
    ) async throws -> T {
        let harness = try await open(lease: lease, heartbeat: heartbeat, maxSnoozes: maxSnoozes)
        return try await withTearDown(of: harness, tearDown: { await $0.tearDown() }, body)
    }

    private static func open(lease: Duration, heartbeat: Duration, maxSnoozes: Int) async throws -> QueueHarness {
        let (pool, schema) = try await TestDatabase.migratedPool(maxConnections: 6)
        let configuration = QueueConfiguration(
            schema: schema, leaseDuration: lease, heartbeatInterval: heartbeat, maxSnoozes: maxSnoozes,
            flushInterval: .milliseconds(20), pollInterval: .milliseconds(200))
        return QueueHarness(pool: pool, schema: schema, queue: TaskQueue(pool: pool, configuration: configuration))
    }

    private func tearDown() async {
        await TestDatabase.dropSchema(schema, pool: pool)
        await pool.close()
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
    func run(_ worker: Worker, timeout: Duration = .seconds(30), until condition: @Sendable () async throws -> Bool) async throws -> Bool {
        try await whileRunning(worker) { try await eventually(timeout: timeout, condition) }
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
