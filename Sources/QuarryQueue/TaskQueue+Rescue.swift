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
        let rows = try await pool.query("SELECT requeued, dead FROM \(identifier: schema).rescue_expired_tasks(\(Int32(clamping: batch)))")
        report.requeued = try rows[0].decode(Int.self, "requeued")
        report.dead = try rows[0].decode(Int.self, "dead")
        let silence = (configuration.leaseDuration + configuration.heartbeatInterval).milliseconds
        report.workersGone = try await pool.query("SELECT \(identifier: schema).mark_workers_gone(\(silence)) AS n")[0].decode(Int.self, "n")
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
