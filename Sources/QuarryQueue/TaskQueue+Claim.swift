import QuarryPostgres

extension TaskQueue {
    /// Claims up to `limit` claimable tasks in one round trip, in (priority, run_at, id) order, skipping
    /// rows other workers hold and builds that are paused. Each claim increments the attempt and the
    /// fencing token and leases the task to `worker` for the lease duration.
    public func claim(worker: String, limit: Int, kinds: [String]? = nil, families: [TaskFamily]? = nil) async throws -> [ClaimedTask] {
        guard limit > 0 else { return [] }
        let families = families?.map(\.rawValue)
        let rows = try await pool.query(
            """
            WITH candidates AS MATERIALIZED (
                SELECT id FROM \(identifier: schema).tasks
                WHERE state = 'available' AND run_at <= now()
                  AND build_id <> ALL (ARRAY(SELECT id FROM \(identifier: schema).builds WHERE state = 'paused'))
                  AND (\(kinds)::text[] IS NULL OR kind = ANY(\(kinds)::text[]))
                  AND (\(families)::text[] IS NULL OR family = ANY(\(families)::text[]))
                ORDER BY priority, run_at, id
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            )
            UPDATE \(identifier: schema).tasks t
            SET state = 'running', attempt = t.attempt + 1, lease_token = t.lease_token + 1,
                lease_owner = \(worker), lease_until = now() + \(configuration.leaseDuration.milliseconds) * interval '1 millisecond',
                started_at = now()
            FROM candidates c WHERE t.id = c.id
            RETURNING t.id, t.build_id, t.kind, t.family, t.key, t.payload::text AS payload, t.attempt, t.max_attempts,
                      t.lease_token, t.parent_id
            """)
        return try rows.map { row in
            ClaimedTask(
                id: try row.decode(Int.self, "id"), buildID: try row.decode(Int.self, "build_id"),
                kind: try row.decode(String.self, "kind"),
                family: TaskFamily(rawValue: try row.decode(String.self, "family")) ?? .generation,
                key: try row.decode(String.self, "key"), payload: try row.decode(String.self, "payload"),
                attempt: try row.decode(Int.self, "attempt"), maxAttempts: try row.decode(Int.self, "max_attempts"),
                leaseToken: try row.decode(Int.self, "lease_token"), parentID: try row.decode(Int?.self, "parent_id"))
        }
    }

    /// Renews the leases of every task `worker` holds, in one statement, and records the worker's
    /// heartbeat. Returns the ids still held: a held task missing from the answer was cancelled or taken
    /// over, and its handler should stop.
    public func heartbeat(worker: String, held: [(id: Int, leaseToken: Int)]) async throws -> Set<Int> {
        let rows = try await pool.query(
            """
            WITH beat AS (
                UPDATE \(identifier: schema).workers SET heartbeat_at = now(), in_flight = \(held.count),
                       state = CASE WHEN state = 'gone' THEN 'alive' ELSE state END
                WHERE id = \(worker)
                RETURNING id
            )
            UPDATE \(identifier: schema).tasks t
            SET lease_until = now() + \(configuration.leaseDuration.milliseconds) * interval '1 millisecond'
            FROM unnest(\(held.map(\.id)), \(held.map(\.leaseToken))) AS h(id, token)
            WHERE t.id = h.id AND t.lease_token = h.token AND t.lease_owner = \(worker) AND t.state = 'running'
            RETURNING t.id
            """)
        return Set(try rows.map { try $0.decode(Int.self, "id") })
    }
}
