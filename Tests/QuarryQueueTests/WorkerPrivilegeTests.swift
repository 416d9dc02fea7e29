import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Testing

/// What a login in the `quarry_worker` role may and may not do to the queue (migrations/0007).
@Suite("quarry_worker least privilege")
struct WorkerPrivilegeTests {
    static func expectDenied(_ pool: PostgresPool, _ statement: PostgresQuery, sourceLocation: SourceLocation = #_sourceLocation) async {
        let error = await #expect(throws: PostgresError.self, sourceLocation: sourceLocation) { try await pool.query(statement) }
        #expect(error?.sqlState == "42501", "\(statement.sql): \(String(describing: error))", sourceLocation: sourceLocation)
    }

    @Test("a worker login settles only the tasks its own workers hold, and cannot rewrite tasks or the ledger")
    func leastPrivilege() async throws {
        try await QueueHarness.with { h in
            let s = h.schema
            let build = try await h.queue.createBuild(name: "roles")
            try await h.queue.enqueue(buildID: build, (0..<6).map { NewTask(kind: "noop", family: .generation, key: "k\($0)") })
            let alice = try await TestLogin.create(memberOf: "quarry_worker")
            let mallory = try await TestLogin.create(memberOf: "quarry_worker")
            let alicePool = alice.pool(), malloryPool = mallory.pool()
            let aliceQueue = TaskQueue(pool: alicePool, configuration: h.queue.configuration)
            let malloryQueue = TaskQueue(pool: malloryPool, configuration: h.queue.configuration)
            let aliceWorker = WorkerRegistration.current(version: "test", concurrency: 4, kinds: nil)
            var malloryWorker = WorkerRegistration.current(version: "test", concurrency: 4, kinds: nil)
            malloryWorker.id += "-m"
            try await aliceQueue.register(aliceWorker)
            try await malloryQueue.register(malloryWorker)

            // The worker's own path works: claim, heartbeat, complete, fail, release.
            let claimed = try await aliceQueue.claim(worker: aliceWorker.id, limit: 3)
            #expect(claimed.count == 3)
            #expect(try await aliceQueue.heartbeat(worker: aliceWorker.id, held: claimed.map { ($0.id, $0.leaseToken) }).count == 3)

            // Another login cannot act for alice's worker, nor take over its id.
            for statement: PostgresQuery in [
                "SELECT * FROM \(identifier: s).claim_tasks(\(aliceWorker.id), 1, 30000, NULL, NULL, NULL)",
                "SELECT * FROM \(identifier: s).heartbeat_tasks(\(aliceWorker.id), \(claimed.map(\.id)), \(claimed.map(\.leaseToken)), 30000)",
                "SELECT * FROM \(identifier: s).complete_tasks(\(aliceWorker.id), \([claimed[0].id]), \([claimed[0].leaseToken]), \(["{}"]), \(["v"]))",
                "SELECT \(identifier: s).set_worker_state(\(aliceWorker.id), 'stopped')",
                "SELECT \(identifier: s).register_worker(\(aliceWorker.id), 'h', 1, 'v', 1, NULL, NULL)",
            ] {
                await Self.expectDenied(malloryPool, statement)
            }
            // Presenting mallory's own worker id with alice's tasks matches nothing.
            let stolen = try await malloryQueue.settle(
                worker: malloryWorker.id, [TaskOutcome(taskID: claimed[0].id, leaseToken: claimed[0].leaseToken, kind: .completed(TaskOutput(json: "{}")))])
            #expect(stolen.completed.isEmpty && stolen.rejected == [claimed[0].id])

            // No direct writes to tasks, results, attempts, the registry or the count ledger.
            for statement: PostgresQuery in [
                "UPDATE \(identifier: s).tasks SET payload = '{\"evil\": true}'",
                "UPDATE \(identifier: s).tasks SET state = 'completed' WHERE state = 'available'",
                "UPDATE \(identifier: s).builds SET state = 'cancelled'",
                "INSERT INTO \(identifier: s).results (task_id, build_id, kind, output) VALUES (\(claimed[1].id), \(build), 'noop', '{}')",
                "INSERT INTO \(identifier: s).task_attempts (task_id, attempt, build_id, kind, error_class) VALUES (1, 1, \(build), 'noop', 'x')",
                "UPDATE \(identifier: s).workers SET state = 'gone'",
                "INSERT INTO \(identifier: s).task_count_deltas (build_id, family, kind, state, delta) VALUES (\(build), 'generation', 'noop', 'completed', 1000)",
                "UPDATE \(identifier: s).task_counts SET n = 0",
                "DELETE FROM \(identifier: s).completions_per_minute",
            ] {
                await Self.expectDenied(alicePool, statement)
            }

            // Alice's own outcomes go through.
            let report = try await aliceQueue.settle(
                worker: aliceWorker.id,
                [
                    TaskOutcome(taskID: claimed[0].id, leaseToken: claimed[0].leaseToken, kind: .completed(TaskOutput(json: "{}"))),
                    TaskOutcome(taskID: claimed[1].id, leaseToken: claimed[1].leaseToken, kind: .failed(errorClass: "x", message: "m", retryDelay: .zero)),
                    TaskOutcome(taskID: claimed[2].id, leaseToken: claimed[2].leaseToken, kind: .released),
                ])
            #expect(report.completed == [claimed[0].id] && report.requeued == [claimed[1].id] && report.released == [claimed[2].id])
            // The ledger still counts what happened, through the functions.
            try await aliceQueue.foldCounts()
            #expect(try await h.count("SELECT coalesce(sum(n), 0)::int8 FROM \(identifier: s).task_counts WHERE state = 'completed'") == 1)
            // Pausing is allowed, with a reason, and only pausing.
            #expect(try await aliceQueue.pauseBuild(build, reason: "credentials refused"))
            #expect(try await h.queue.build(build)?.stateReason == "credentials refused")
            _ = try await aliceQueue.rescue()
            await alicePool.close()
            await malloryPool.close()
        }
    }
}
