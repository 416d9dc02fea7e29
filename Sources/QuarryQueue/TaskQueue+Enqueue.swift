import QuarryPostgres

extension TaskQueue {
    /// Enqueues tasks in one statement; keys already present in the build are skipped (idempotent).
    /// Returns the ids of the tasks created.
    @discardableResult
    public func enqueue(buildID: Int, _ tasks: [NewTask]) async throws -> [Int] {
        guard !tasks.isEmpty else { return [] }
        let rows = try await pool.query(
            """
            INSERT INTO \(identifier: schema).tasks (build_id, kind, family, key, payload, priority, run_at, max_attempts, parent_id)
            SELECT \(buildID), kind, family, key, payload::jsonb, priority, now() + delay_ms * interval '1 millisecond', max_attempts, parent_id
            FROM unnest(\(tasks.map(\.kind)), \(tasks.map(\.family.rawValue)), \(tasks.map(\.key)), \(tasks.map(\.payload)),
                        \(tasks.map { Int32($0.priority) }), \(tasks.map { $0.delay.milliseconds }),
                        \(tasks.map { Int32($0.maxAttempts) }), \(PostgresNullableArray(tasks.map(\.parentID))))
                 AS input(kind, family, key, payload, priority, delay_ms, max_attempts, parent_id)
            ON CONFLICT (build_id, key) DO NOTHING
            RETURNING id
            """)
        let ids = try rows.map { try $0.decode(Int.self, "id") }
        if !ids.isEmpty { notify(configuration.taskChannel) }
        return ids
    }

    /// Bulk enqueue through COPY for large batches of fresh keys (a new build's first stage, benchmarks):
    /// several times faster than `enqueue`. A key that already exists aborts the whole batch with a
    /// unique violation; use `enqueue` when keys may repeat.
    @discardableResult
    public func enqueueCopy(buildID: Int, count: Int, _ task: @escaping @Sendable (Int) -> NewTask) async throws -> Int {
        let loaded = try await pool.withConnection { connection in
            try await connection.copyIn(
                "COPY \(identifier: schema).tasks (build_id, kind, family, key, payload, priority, max_attempts) FROM STDIN"
            ) { writer in
                for index in 0..<count {
                    let new = task(index)
                    writer.append(buildID)
                    try writer.append(new.kind)
                    try writer.append(new.family.rawValue)
                    try writer.append(new.key)
                    try writer.append(new.payload)
                    writer.append(new.priority)
                    writer.append(new.maxAttempts)
                    try writer.endRow()
                }
            }
        }
        if loaded > 0 { notify(configuration.taskChannel) }
        return loaded
    }
}
