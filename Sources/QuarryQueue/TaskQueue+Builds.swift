import Foundation
import QuarryPostgres

/// A build as stored.
public struct BuildInfo: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var recipe: String?
    public var state: BuildState
    public var stateReason: String?
    public var spec: String
    public var budgetUSD: Double?
    /// Dead ÷ (completed + dead) above which the drained build is `failed` (nil: the default, 0.2).
    public var maxDeadFraction: Double?
    public var createdAt: Date
    public var finishedAt: Date?
}

extension TaskQueue {
    /// Creates a build and returns its id. `spec` is the build's JSON spec (never holds secrets).
    /// `graph` is what the coordinator expands the build's tasks by (a build without one is left alone by
    /// coordinators: its tasks run, nothing follows them, and nobody ends it). With `pausedReason` the build
    /// starts paused (e.g. while its input and seed tasks load), so no worker runs and no coordinator ends
    /// a half-loaded build; `resumeBuild` starts it.
    public func createBuild(
        name: String, recipe: String? = nil, spec: String = "{}", graph: BuildGraph? = nil, budgetUSD: Double? = nil,
        maxDeadFraction: Double? = nil, pausedReason: String? = nil
    ) async throws -> Int {
        let rows = try await pool.query(
            """
            INSERT INTO \(identifier: schema).builds (name, recipe, spec, graph, budget_usd, max_dead_fraction, state, state_reason)
            VALUES (\(name), \(recipe), \(PostgresRawJSON(spec)), \(graph.map { PostgresRawJSON($0.encoded()) }), \(budgetUSD), \(maxDeadFraction),
                    CASE WHEN \(pausedReason)::text IS NULL THEN 'active' ELSE 'paused' END, \(pausedReason))
            RETURNING id
            """)
        return try rows[0].decode(Int.self, "id")
    }

    public func build(_ id: Int) async throws -> BuildInfo? {
        let rows = try await pool.query(
            """
            SELECT id, name, recipe, state, state_reason, spec::text AS spec, budget_usd, max_dead_fraction, created_at, finished_at
            FROM \(identifier: schema).builds WHERE id = \(id)
            """)
        return try rows.firstRow.map(Self.buildInfo)
    }

    public func builds(limit: Int = 50) async throws -> [BuildInfo] {
        let rows = try await pool.query(
            """
            SELECT id, name, recipe, state, state_reason, spec::text AS spec, budget_usd, max_dead_fraction, created_at, finished_at
            FROM \(identifier: schema).builds ORDER BY id DESC LIMIT \(limit)
            """)
        return try rows.map(Self.buildInfo)
    }

    static func buildInfo(_ row: PostgresRow) throws -> BuildInfo {
        let stateText = try row.decode(String.self, "state")
        guard let state = BuildState(rawValue: stateText) else {
            throw PostgresError(
                code: .invalidValue, message: "build state '\(stateText)' is not one this version of Quarry knows (migrate, or upgrade)",
                column: "state")
        }
        return BuildInfo(
            id: try row.decode(Int.self, "id"), name: try row.decode(String.self, "name"),
            recipe: try row.decode(String?.self, "recipe"), state: state,
            stateReason: try row.decode(String?.self, "state_reason"), spec: try row.decode(String.self, "spec"),
            budgetUSD: try row.decode(Double?.self, "budget_usd"), maxDeadFraction: try row.decode(Double?.self, "max_dead_fraction"),
            createdAt: try row.decode(Date.self, "created_at"), finishedAt: try row.decode(Date?.self, "finished_at"))
    }

    /// Pauses a build: its tasks stay where they are and are not claimed until `resumeBuild`.
    /// Returns false when the build was not active. Goes through `pause_build` (migrations/0007), which
    /// the `quarry_worker` role may call: a worker pauses builds (credentials, budget) but may not
    /// otherwise change them.
    @discardableResult
    public func pauseBuild(_ id: Int, reason: String) async throws -> Bool {
        let paused = try await pool.query("SELECT \(identifier: schema).pause_build(\(id), \(reason)) AS paused")[0].decode(Bool.self, "paused")
        if paused { logger.warning("build \(id) paused: \(reason)") }
        return paused
    }

    @discardableResult
    public func resumeBuild(_ id: Int) async throws -> Bool {
        let rows = try await pool.query(
            """
            UPDATE \(identifier: schema).builds SET state = 'active', state_reason = NULL, updated_at = now(), seeded_at = coalesce(seeded_at, now())
            WHERE id = \(id) AND state = 'paused' RETURNING id
            """)
        if !rows.isEmpty { notify(configuration.taskChannel) }
        return !rows.isEmpty
    }

    /// Ends a drained build with the outcome its task counts call for (`BuildOutcome.decide`) and returns
    /// it; nil when the build was no longer active (paused or finished meanwhile).
    @discardableResult
    public func finishDrainedBuild(_ id: Int) async throws -> BuildOutcome? {
        guard let build = try await build(id), build.state == .active else { return nil }
        var stages: [String: BuildOutcome.StageCount] = [:]
        for (kind, states) in try await stageCounts(buildID: id) {
            stages[kind] = BuildOutcome.StageCount(completed: states["completed"] ?? 0, dead: states["dead"] ?? 0)
        }
        let outcome = BuildOutcome.decide(stages: stages, maxDeadFraction: build.maxDeadFraction)
        let rows = try await pool.query(
            """
            UPDATE \(identifier: schema).builds
            SET state = \(outcome.state.rawValue), state_reason = \(outcome.reason), finished_at = now(), updated_at = now()
            WHERE id = \(id) AND state = 'active' RETURNING id
            """)
        return rows.isEmpty ? nil : outcome
    }

    /// Cancels a build: waiting and running tasks become `cancelled` (running ones stop at their worker's
    /// next heartbeat, and their late results are rejected by fencing).
    @discardableResult
    public func cancelBuild(_ id: Int) async throws -> Int {
        try await pool.transaction { tx in
            try await tx.query(
                """
                UPDATE \(identifier: schema).builds SET state = 'cancelled', state_reason = 'cancelled by operator',
                       finished_at = now(), updated_at = now()
                WHERE id = \(id) AND state IN ('active', 'paused')
                """)
            let rows = try await tx.query(
                """
                UPDATE \(identifier: schema).tasks SET state = 'cancelled', finished_at = now(), lease_owner = NULL, lease_until = NULL
                WHERE build_id = \(id) AND state IN ('available', 'running')
                """)
            return rows.affectedRows
        }
    }

    /// Deletes a build that never started, i.e. was never resumed after a paused creation (its records, rejects and tasks go with it, by cascade): what a
    /// submit that failed half-way leaves behind. Returns whether a build was deleted.
    @discardableResult
    public func discardBuild(_ id: Int) async throws -> Bool {
        try await pool.query("DELETE FROM \(identifier: schema).builds WHERE id = \(id) AND seeded_at IS NULL RETURNING id").affectedRows > 0
    }

    public func taskExists(_ id: Int) async throws -> Bool {
        !(try await pool.query("SELECT 1 FROM \(identifier: schema).tasks WHERE id = \(id)").isEmpty)
    }

    /// Cancels one task if it has not finished. Returns whether it was cancelled.
    @discardableResult
    public func cancelTask(_ id: Int) async throws -> Bool {
        let rows = try await pool.query(
            """
            UPDATE \(identifier: schema).tasks SET state = 'cancelled', finished_at = now(), lease_owner = NULL, lease_until = NULL
            WHERE id = \(id) AND state IN ('available', 'running') RETURNING id
            """)
        return !rows.isEmpty
    }

    /// Puts a build's dead tasks (optionally of one kind) back in the queue with fresh attempts. A finished
    /// build becomes active again; a paused one stays paused until resumed.
    @discardableResult
    public func retryDead(buildID: Int, kind: String? = nil) async throws -> Int {
        let count = try await pool.transaction { tx in
            let rows = try await tx.query(
                """
                UPDATE \(identifier: schema).tasks
                SET state = 'available', attempt = 0, snoozes = 0, run_at = now(), finished_at = NULL
                WHERE build_id = \(buildID) AND state = 'dead' AND (\(kind)::text IS NULL OR kind = \(kind))
                """)
            if rows.affectedRows > 0 {
                try await tx.query(
                    """
                    UPDATE \(identifier: schema).builds SET state = 'active', state_reason = NULL, finished_at = NULL, updated_at = now()
                    WHERE id = \(buildID) AND state IN ('completed', 'completed_with_errors', 'failed')
                    """)
                // The deaths that made the streak are undone: the breaker starts counting afresh.
                try await tx.query("DELETE FROM \(identifier: schema).failure_streaks WHERE build_id = \(buildID)")
            }
            return rows.affectedRows
        }
        if count > 0 { notify(configuration.taskChannel) }
        return count
    }
}

extension TaskQueue {
    /// Deletes a build and everything it produced in batches of `batch` rows, each batch its own statement
    /// and transaction, so no long transaction pins the xmin horizon and autovacuum keeps up while millions
    /// of rows go. Returns how many tasks it had.
    @discardableResult
    public func prune(buildID: Int, batch: Int = 10_000) async throws -> Int {
        let s = schema
        try await pool.query(
            """
            UPDATE \(identifier: s).builds SET state = 'cancelled', state_reason = 'pruning', updated_at = now()
            WHERE id = \(buildID) AND state IN ('active', 'paused')
            """)
        let batches: [PostgresQuery] = [
            "DELETE FROM \(identifier: s).results WHERE task_id IN (SELECT task_id FROM \(identifier: s).results WHERE build_id = \(buildID) LIMIT \(batch))",
            "DELETE FROM \(identifier: s).task_attempts WHERE ctid IN (SELECT ctid FROM \(identifier: s).task_attempts WHERE build_id = \(buildID) LIMIT \(batch))",
            "DELETE FROM \(identifier: s).tasks WHERE id IN (SELECT id FROM \(identifier: s).tasks WHERE build_id = \(buildID) LIMIT \(batch))",
            "DELETE FROM \(identifier: s).records WHERE position IN (SELECT position FROM \(identifier: s).records WHERE build_id = \(buildID) LIMIT \(batch)) AND build_id = \(buildID)",
        ]
        var tasks = 0
        for (index, statement) in batches.enumerated() {
            while true {
                let removed = try await pool.query(statement).affectedRows
                if index == 2 { tasks += removed }
                if removed == 0 { break }
            }
        }
        try await foldCounts()
        try await pool.transaction { tx in
            try await tx.query("DELETE FROM \(identifier: s).rejects WHERE build_id = \(buildID)")
            try await tx.query("DELETE FROM \(identifier: s).task_counts WHERE build_id = \(buildID)")
            try await tx.query("DELETE FROM \(identifier: s).completions_per_minute WHERE build_id = \(buildID)")
            try await tx.query("DELETE FROM \(identifier: s).builds WHERE id = \(buildID)")
        }
        return tasks
    }
}
