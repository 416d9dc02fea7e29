import QuarryPostgres

/// The monitoring views (see migrations/0002_monitoring.sql), readable by the `quarry_monitor` role.
public enum MonitorView: String, Sendable, CaseIterable {
    case buildProgress = "build_progress"
    case queueDepth = "queue_depth"
    case throughput
    case workerStatus = "worker_status"
    case oldestWaiting = "oldest_waiting"
    case recentErrors = "recent_errors"
    case deadTasks = "dead_tasks"
    /// Waiting work no live worker can do: kinds none claims, endpoints none has.
    case unservedWork = "unserved_work"

    /// The view to read for one build: recent errors have a per-build twin.
    var perBuildName: String { self == .recentErrors ? "recent_errors_by_build" : rawValue }
}

/// Rows of a view as text, columns in the view's order: enough to print any view as a table.
public struct MonitorTable: Sendable, Equatable {
    public var columns: [String] = []
    public var rows: [[String?]] = []
}

extension TaskQueue {
    /// Reads a monitoring view, optionally for one build, at most `limit` rows.
    public func monitor(_ view: MonitorView, build: Int? = nil, limit: Int = 50) async throws -> MonitorTable {
        let filtered = build != nil && view != .throughput && view != .workerStatus && view != .oldestWaiting
        let source: PostgresQuery =
            filtered
            ? "SELECT * FROM \(identifier: schema).\(identifier: view.perBuildName) x WHERE x.build_id = \(build ?? 0) LIMIT \(limit)"
            : "SELECT * FROM \(identifier: schema).\(identifier: view.rawValue) x LIMIT \(limit)"
        // json_each_text over row_to_json keeps the view's column order.
        let rows = try await pool.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT r.n, e.key, e.value
                    FROM (SELECT row_to_json(v) AS j, row_number() OVER () AS n FROM (\(source.sql)) v) r,
                         LATERAL json_each_text(r.j) e
                    ORDER BY r.n
                    """, binds: source.binds))
        var table = MonitorTable()
        var current = -1
        for row in rows {
            let n = try row.decode(Int.self, "n")
            let key = try row.decode(String.self, "key")
            let value = try row.decode(String?.self, "value")
            if n != current {
                current = n
                table.rows.append([])
            }
            if table.rows.count == 1 { table.columns.append(key) }
            table.rows[table.rows.count - 1].append(value)
        }
        return table
    }
}
