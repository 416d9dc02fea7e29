import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Testing

@Suite("Schema: plans and roles")
struct SchemaTests {
    /// The plan of `statement` as text (EXPLAIN, no ANALYZE).
    func plan(_ h: QueueHarness, _ statement: String) async throws -> String {
        try await h.pool.withConnection { connection in
            try await connection.query("SET search_path TO \(identifier: h.schema), public")
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN " + statement))
            try await connection.query("RESET search_path")
            return try rows.map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
        }
    }

    @Test("the claim, the rescue scan and the views' hot queries use their partial indexes on a large table", .timeLimit(.minutes(3)))
    func plansUseIndexes() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "big")
            // 200,000 finished rows and 2,000 waiting ones: the shape of a long-running build.
            try await h.pool.query(
                """
                INSERT INTO \(identifier: h.schema).tasks (build_id, family, kind, key, state, finished_at)
                SELECT \(build), 'generation', 'noop', 'done' || g, 'completed', now() FROM generate_series(1, 200000) g
                """)
            try await h.queue.enqueueCopy(buildID: build, count: 2_000) { NewTask(kind: "noop", family: .generation, key: "w\($0)") }
            try await h.pool.query("ANALYZE \(identifier: h.schema).tasks")
            let claim = try await plan(h, """
                WITH candidates AS MATERIALIZED (
                    SELECT id FROM tasks WHERE state = 'available' AND run_at <= now()
                      AND build_id <> ALL (ARRAY(SELECT id FROM builds WHERE state = 'paused'))
                    ORDER BY priority, run_at, id LIMIT 50 FOR UPDATE SKIP LOCKED)
                UPDATE tasks t SET state = 'running' FROM candidates c WHERE t.id = c.id
                """)
            #expect(claim.contains("tasks_claimable"), "claim plan:\n\(claim)")
            #expect(!claim.contains("Seq Scan on tasks"), "claim plan:\n\(claim)")
            let rescue = try await plan(h, "SELECT id FROM tasks WHERE state = 'running' AND lease_until < now() ORDER BY lease_until LIMIT 100")
            #expect(rescue.contains("tasks_leases"), "rescue plan:\n\(rescue)")
            // Completing a batch finds its tasks by id, although the statistics say almost nothing runs:
            // reading the lease index instead reads one dead entry per task worked since the last vacuum.
            let ids = (1...600).map(String.init).joined(separator: ",")
            let complete = try await plan(h, """
                UPDATE tasks t SET state = 'completed', lease_owner = NULL, lease_until = NULL
                FROM unnest('{\(ids)}'::bigint[], '{\(ids)}'::bigint[]) AS i(id, token)
                WHERE t.id = i.id AND t.lease_token = i.token AND t.lease_owner = 'w' AND t.state = 'running'
                """)
            #expect(complete.contains("tasks_pkey") && !complete.contains("tasks_leases"), "complete plan:\n\(complete)")
            let oldest = try await plan(h, "SELECT * FROM oldest_waiting")
            #expect(oldest.contains("tasks_claimable") && !oldest.contains("Seq Scan on tasks"), "oldest_waiting plan:\n\(oldest)")
            let dead = try await plan(h, "SELECT * FROM dead_tasks WHERE build_id = 1")
            #expect(dead.contains("tasks_dead") && !dead.contains("Seq Scan on tasks"), "dead_tasks plan:\n\(dead)")
            let depth = try await plan(h, "SELECT * FROM queue_depth")
            #expect(!depth.contains("on tasks"), "queue_depth must not read tasks:\n\(depth)")
            let progress = try await plan(h, "SELECT * FROM build_progress")
            #expect(!progress.contains("on tasks"), "build_progress must not read tasks:\n\(progress)")
        }
    }

    @Test("the counting trigger plans its join without nested loops, and counts a large update after a one-row one in the same session")
    func countTriggerJoin() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "counts")
            try await h.queue.enqueueCopy(buildID: build, count: 3_001) { NewTask(kind: "noop", family: .generation, key: "c\($0)") }
            let settings = try await h.pool.query(
                "SELECT array_to_string(proconfig, ',') FROM pg_proc WHERE oid = \(h.schema + ".tasks_count_update()")::regprocedure")
            #expect(try settings[0].decode(String?.self, at: 0)?.contains("enable_nestloop=off") == true)
            // The claim reads tasks_claimable in its order, never a sort of every waiting row (see 0009).
            let claimSettings = try await h.pool.query(
                "SELECT array_to_string(proconfig, ',') FROM pg_proc WHERE oid = \(h.schema + ".claim_tasks(text, integer, bigint, text[], text[], bigint[])")::regprocedure")
            #expect(try claimSettings[0].decode(String?.self, at: 0)?.contains("enable_sort=off") == true)
            // Planned on every call, the queue's functions must not compile a claim with JIT (see 0011).
            let jitless = try await h.pool.query(
                """
                SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = \(h.schema) AND 'jit=off' = ANY (coalesce(p.proconfig, '{}'))
                """)
            #expect(Set(try jitless.map { try $0.decode(String.self, at: 0) })
                == ["claim_tasks", "complete_tasks", "heartbeat_tasks", "settle_tasks", "rescue_expired_tasks"])
            try await h.pool.withConnection { connection in
                // The first firing in a session fixes the trigger's plan; a one-row update plans for one row.
                try await connection.query("UPDATE \(identifier: h.schema).tasks SET state = 'cancelled' WHERE build_id = \(build) AND key = 'c0'")
                try await connection.query("UPDATE \(identifier: h.schema).tasks SET state = 'cancelled' WHERE build_id = \(build) AND key <> 'c0'")
            }
            try await h.queue.foldCounts()
            #expect(try await h.count("SELECT coalesce(sum(n), 0)::bigint FROM \(identifier: h.schema).task_counts WHERE build_id = \(build) AND state = 'cancelled'") == 3_001)
            #expect(try await h.count("SELECT coalesce(sum(n), 0)::bigint FROM \(identifier: h.schema).task_counts WHERE build_id = \(build) AND state = 'available'") == 0)
        }
    }

    @Test("quarry_monitor reads the views and nothing else; quarry_worker cannot drop or alter")
    func roles() async throws {
        try await QueueHarness.with { h in
            let s = h.schema
            try await h.pool.withConnection { connection in
                try await connection.query("SET ROLE quarry_monitor")
                for view in MonitorView.allCases {
                    _ = try await connection.query("SELECT * FROM \(identifier: s).\(identifier: view.rawValue)")
                }
                let denied = await #expect(throws: PostgresError.self) { try await connection.query("SELECT * FROM \(identifier: s).tasks") }
                #expect(denied?.sqlState == "42501")
                await #expect(throws: PostgresError.self) { try await connection.query("SELECT * FROM \(identifier: s).results") }
                try await connection.query("RESET ROLE")

                try await connection.query("SET ROLE quarry_worker")
                _ = try await connection.query("SELECT count(*) FROM \(identifier: s).tasks")
                for statement in [
                    "DROP TABLE \(s).tasks", "ALTER TABLE \(s).tasks ADD COLUMN x int", "TRUNCATE \(s).results",
                    "DELETE FROM \(s).tasks", "CREATE TABLE \(s).evil (id int)", "DROP VIEW \(s).queue_depth",
                ] {
                    let error = await #expect(throws: PostgresError.self) { try await connection.query(PostgresQuery(unsafeSQL: statement)) }
                    #expect(error?.sqlState == "42501" || error?.sqlState == "42P01", "\(statement): \(String(describing: error))")
                }
                try await connection.query("RESET ROLE")
            }
        }
    }
}

@Suite("Pruning")
struct PruneTests {
    @Test("prune removes a build's rows in batches and leaves other builds alone")
    func prune() async throws {
        try await QueueHarness.with { h in
            let doomed = try await h.queue.createBuild(name: "old")
            let kept = try await h.queue.createBuild(name: "new")
            try await h.queue.enqueueCopy(buildID: doomed, count: 2_500) { NewTask(kind: "noop", family: .generation, key: "d\($0)") }
            try await h.queue.enqueueCopy(buildID: kept, count: 10) { NewTask(kind: "noop", family: .generation, key: "k\($0)") }
            let claimed = try await h.queue.claim(worker: "w", limit: 1_000)
            _ = try await h.queue.settle(worker: "w", claimed.map { TaskOutcome(taskID: $0.id, leaseToken: $0.leaseToken, kind: .completed(TaskOutput(json: "{}"))) })
            // A record row, as the recipe layer loads them: it goes with its build.
            try await h.pool.query("INSERT INTO \(identifier: h.schema).records (build_id, line, position, data, text) VALUES (\(doomed), 1, 1, '{}', 'x')")
            #expect(try await h.queue.prune(buildID: doomed, batch: 300) == 2_500)
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks WHERE build_id = \(doomed)") == 0)
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).results WHERE build_id = \(doomed)") == 0)
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).records WHERE build_id = \(doomed)") == 0)
            #expect(try await h.queue.build(doomed) == nil)
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks WHERE build_id = \(kept)") == 10)
            try await h.queue.foldCounts()
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).queue_depth WHERE build_id = \(doomed)") == 0)
        }
    }
}
