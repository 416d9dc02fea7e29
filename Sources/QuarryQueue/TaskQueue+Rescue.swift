import QuarryPostgres

/// What one rescue pass did.
public struct RescueReport: Sendable, Equatable {
    public var requeued = 0
    public var dead = 0
    public var workersGone = 0
    public init() {}
}

extension TaskQueue {
    /// Returns tasks whose lease expired to `available` (the attempt stays consumed, error class
    /// `lease_expired`), or to `dead` when they are out of attempts; marks workers that stopped
    /// heartbeating as gone; folds the count ledger. Run by one process at a time (see `Rescuer`), but
    /// safe to run concurrently: rows are locked with SKIP LOCKED.
    public func rescue(batch: Int = 5_000) async throws -> RescueReport {
        var report = RescueReport()
        let rows = try await pool.query(
            """
            WITH expired AS (
                SELECT id, lease_owner FROM \(identifier: schema).tasks
                WHERE state = 'running' AND lease_until < now()
                ORDER BY lease_until LIMIT \(batch)
                FOR UPDATE SKIP LOCKED
            ), changed AS (
                UPDATE \(identifier: schema).tasks t
                SET state = CASE WHEN t.attempt >= t.max_attempts THEN 'dead' ELSE 'available' END,
                    run_at = now(), lease_owner = NULL, lease_until = NULL,
                    last_error_class = 'lease_expired',
                    last_error = 'lease expired: worker ' || coalesce(e.lease_owner, '?') || ' stopped renewing it',
                    finished_at = CASE WHEN t.attempt >= t.max_attempts THEN now() END
                FROM expired e WHERE t.id = e.id
                RETURNING t.id, t.build_id, t.kind, t.attempt, t.state, t.last_error, e.lease_owner
            ), logged AS (
                INSERT INTO \(identifier: schema).task_attempts (task_id, attempt, build_id, kind, worker, error_class, message)
                SELECT id, attempt, build_id, kind, lease_owner, 'lease_expired', last_error FROM changed
            )
            SELECT count(*) FILTER (WHERE state = 'available') AS requeued, count(*) FILTER (WHERE state = 'dead') AS dead FROM changed
            """)
        report.requeued = try rows[0].decode(Int.self, "requeued")
        report.dead = try rows[0].decode(Int.self, "dead")
        let gone = try await pool.query(
            """
            UPDATE \(identifier: schema).workers SET state = 'gone', stopped_at = now()
            WHERE state IN ('alive', 'stopping')
              AND heartbeat_at < now() - \((configuration.leaseDuration + configuration.heartbeatInterval).milliseconds) * interval '1 millisecond'
            """)
        report.workersGone = gone.affectedRows
        try await foldCounts()
        if report.requeued > 0 { notify(configuration.taskChannel) }
        if report.dead > 0 { notify(configuration.finishedChannel) }
        if report != RescueReport() {
            logger.info("rescue: \(report.requeued) requeued, \(report.dead) dead, \(report.workersGone) worker(s) gone")
        }
        return report
    }

    /// Folds the counting ledger into totals (cheap; the monitoring views read both anyway).
    public func foldCounts() async throws {
        try await pool.query("SELECT \(identifier: schema).fold_counts()")
    }
}
