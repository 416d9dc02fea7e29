import QuarryPostgres

extension TaskQueue {
    /// Counts a task death of `buildID` with `signature` towards the build's current failure streak and
    /// returns its length: one more when the streak had the same signature and no task of the build has
    /// completed since its last death, else 1 (a new streak). Deaths of every worker count together, so
    /// the streak is the pool's. Costs one statement per death, nothing per completion: the completed
    /// count comes from the count ledger. `restart` starts a new streak regardless (the caller saw a task
    /// of the build complete that the ledger may not show yet).
    public func recordDeath(buildID: Int, signature: FailureSignature, restart: Bool = false) async throws -> Int {
        let s = schema
        let rows = try await pool.query(
            """
            WITH done AS (
                SELECT coalesce(sum(n), 0)::bigint AS n FROM (
                    SELECT n FROM \(identifier: s).task_counts WHERE build_id = \(buildID) AND state = 'completed'
                    UNION ALL
                    SELECT delta FROM \(identifier: s).task_count_deltas WHERE build_id = \(buildID) AND state = 'completed'
                ) ledger
            )
            INSERT INTO \(identifier: s).failure_streaks AS f (build_id, signature, summary, tasks, completed_seen)
            SELECT \(buildID), \(signature.key), \(signature.summary), 1, done.n FROM done
            ON CONFLICT (build_id) DO UPDATE SET
                tasks = CASE WHEN NOT \(restart) AND f.signature = excluded.signature AND f.completed_seen >= excluded.completed_seen
                             THEN f.tasks + 1 ELSE 1 END,
                signature = excluded.signature, summary = excluded.summary,
                completed_seen = excluded.completed_seen, updated_at = now()
            RETURNING tasks
            """)
        return try rows[0].decode(Int.self, "tasks")
    }
}
