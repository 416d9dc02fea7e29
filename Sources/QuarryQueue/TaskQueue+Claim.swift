import QuarryPostgres

extension TaskQueue {
    /// Claims up to `limit` claimable tasks in one round trip, in (priority, run_at, id) order, skipping
    /// rows other workers hold and builds that are paused. Each claim increments the attempt and the
    /// fencing token and leases the task to `worker` for the lease duration.
    ///
    /// The statement runs inside `claim_tasks` (migrations/0007), a function the `quarry_worker` role may
    /// call although it may not update `tasks` itself. `skippingBuilds` are builds this worker must not
    /// claim from (it could not pause them). `connection` is a connection the caller owns (a worker's claim
    /// loop runs on its own); without one the statement runs on any of the pool's.
    public func claim(
        worker: String, limit: Int, kinds: [String]? = nil, families: [TaskFamily]? = nil, skippingBuilds: [Int] = [],
        on connection: PostgresConnection? = nil
    ) async throws -> [ClaimedTask] {
        guard limit > 0 else { return [] }
        let families = families?.map(\.rawValue)
        let skipping: [Int]? = skippingBuilds.isEmpty ? nil : skippingBuilds
        var binds = PostgresBindings()
        binds.append(worker)
        binds.append(Int32(clamping: limit))
        binds.append(configuration.leaseDuration.milliseconds)
        binds.append(kinds)
        binds.append(families)
        binds.append(skipping)
        let query = PostgresQuery(unsafeSQL: statements.claim, binds: binds)
        let rows = try await withConnection(connection) { try await $0.query(query) }
        guard !rows.isEmpty else { return [] }
        // Columns by position, looked up once per claim rather than by name in every row.
        let (id, build, kind, family, key, payload, attempt, maxAttempts, lease, parent) = (
            try rows.position(of: "id"), try rows.position(of: "build_id"), try rows.position(of: "kind"), try rows.position(of: "family"),
            try rows.position(of: "key"), try rows.position(of: "payload"), try rows.position(of: "attempt"),
            try rows.position(of: "max_attempts"), try rows.position(of: "lease_token"), try rows.position(of: "parent_id"))
        var claimed: [ClaimedTask] = []
        claimed.reserveCapacity(rows.count)
        var lastKind = ""
        for row in rows {
            // A batch is nearly always one or two kinds: each row's kind reuses the previous row's string.
            lastKind = try row.decodeText(at: kind, reusing: lastKind)
            claimed.append(ClaimedTask(
                id: try row.decode(Int.self, at: id), buildID: try row.decode(Int.self, at: build),
                kind: lastKind, family: try row.decode(TaskFamily.self, at: family),
                key: try row.decode(String.self, at: key), payload: try row.decode(String.self, at: payload),
                attempt: try row.decode(Int.self, at: attempt), maxAttempts: try row.decode(Int.self, at: maxAttempts),
                leaseToken: try row.decode(Int.self, at: lease), parentID: try row.decode(Int?.self, at: parent)))
        }
        return claimed
    }

    /// Renews the leases of every task `worker` holds, in one statement, and records the worker's
    /// heartbeat. Returns the ids still held: a held task missing from the answer was cancelled or taken
    /// over, and its handler should stop.
    public func heartbeat(worker: String, held: [(id: Int, leaseToken: Int)]) async throws -> Set<Int> {
        let rows = try await pool.query(
            """
            SELECT id FROM \(identifier: schema).heartbeat_tasks(
                \(worker), \(held.map(\.id)), \(held.map(\.leaseToken)), \(configuration.leaseDuration.milliseconds)) AS h(id)
            """)
        return Set(try rows.map { try $0.decode(Int.self, "id") })
    }
}
