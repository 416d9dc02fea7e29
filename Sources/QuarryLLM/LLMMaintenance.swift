import QuarryPostgres

/// Housekeeping of the LLM tables for operators: a pruned build's usage rows, and cached answers past an age.
/// Deletes run in committed batches, like `TaskQueue.prune`, so no long transaction holds back vacuum.
public struct LLMMaintenance: Sendable {
    let pool: PostgresPool
    let schema: String

    public init(pool: PostgresPool, schema: String) {
        self.pool = pool
        self.schema = schema
    }

    /// Deletes the usage and cost rows of `buildID` (they would otherwise outlive the build). Returns how many.
    @discardableResult
    public func deleteUsage(buildID: Int, batch: Int = 10_000) async throws -> Int {
        try await deleteInBatches(
            """
            DELETE FROM \(identifier: schema).llm_usage WHERE ctid IN (
                SELECT ctid FROM \(identifier: schema).llm_usage WHERE build_id = \(buildID) LIMIT \(batch))
            """)
    }

    /// Deletes cached answers stored more than `age` ago: they will be paid for again if asked. Returns how many.
    @discardableResult
    public func pruneCache(olderThan age: Duration, batch: Int = 10_000) async throws -> Int {
        let seconds = Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18
        return try await deleteInBatches(
            """
            DELETE FROM \(identifier: schema).llm_cache WHERE key IN (
                SELECT key FROM \(identifier: schema).llm_cache
                WHERE created_at < now() - \(seconds) * interval '1 second' LIMIT \(batch))
            """)
    }

    private func deleteInBatches(_ statement: PostgresQuery) async throws -> Int {
        var total = 0
        while true {
            let removed = try await pool.query(statement).affectedRows
            total += removed
            if removed == 0 { return total }
        }
    }
}
