import QuarryPostgres

/// A task of a build with its result (if completed), as exporters read them.
public struct TaskResultRow: Sendable, Equatable {
    public var taskID: Int
    public var parentID: Int?
    public var key: String
    public var kind: String
    public var family: TaskFamily
    public var state: TaskState
    public var attempt: Int
    public var payload: String
    /// The result's JSON, for completed tasks.
    public var output: String?
    public var promptVersion: String?
    public var worker: String?
    /// Why the task failed, for dead ones.
    public var errorClass: String?
    public var error: String?
}

extension TaskQueue {
    /// A build's tasks (of `kinds`, or all) with their results, in numeric key order, read `pageSize` at a
    /// time as the consumer asks (see `BuildTaskRows`). Keys share their root's prefix, so a record's whole
    /// chain of tasks arrives together.
    public func tasks(buildID: Int, kinds: [String]? = nil, pageSize: Int = 2_000) -> BuildTaskRows {
        BuildTaskRows(queue: self, buildID: buildID, kinds: kinds, pageSize: pageSize)
    }

    /// The ids of a build's tasks (of `kinds`, or all) in numeric key order, sorted once by the server.
    func taskOrder(buildID: Int, kinds: [String]?) async throws -> [Int] {
        let rows = try await pool.query(
            """
            SELECT coalesce(array_agg(t.id ORDER BY t.key COLLATE \(identifier: schema).numeric_keys), '{}') AS ids
            FROM \(identifier: schema).tasks t
            WHERE t.build_id = \(buildID) AND (\(kinds)::text[] IS NULL OR t.kind = ANY(\(kinds)::text[]))
            """)
        return try rows.firstRow?.decode([Int].self, "ids") ?? []
    }

    /// The tasks `ids` with their results, in the order of `ids` (ids of tasks that no longer exist are left out).
    func taskRows(ids: [Int]) async throws -> [TaskResultRow] {
        let rows = try await pool.query(
            """
            SELECT \(fragment: Self.resultColumns)
            FROM \(identifier: schema).tasks t
            LEFT JOIN \(identifier: schema).results r ON r.task_id = t.id
            WHERE t.id = ANY(\(ids))
            """)
        var byID: [Int: TaskResultRow] = [:]
        byID.reserveCapacity(rows.count)
        for row in rows {
            let task = try Self.resultRow(row)
            byID[task.taskID] = task
        }
        return ids.compactMap { byID[$0] }
    }

    /// A task and its ancestors, nearest first, with their outputs: one query for everything a task's
    /// handler may read of its lineage.
    public func lineage(of taskID: Int) async throws -> [TaskResultRow] {
        let rows = try await pool.query(
            """
            WITH RECURSIVE chain (id, parent_id, depth) AS (
                SELECT id, parent_id, 0 FROM \(identifier: schema).tasks WHERE id = \(taskID)
                UNION ALL
                SELECT p.id, p.parent_id, c.depth + 1 FROM \(identifier: schema).tasks p JOIN chain c ON p.id = c.parent_id
            )
            SELECT \(fragment: Self.resultColumns)
            FROM chain JOIN \(identifier: schema).tasks t ON t.id = chain.id
            LEFT JOIN \(identifier: schema).results r ON r.task_id = t.id
            ORDER BY chain.depth
            """)
        return try rows.map(Self.resultRow)
    }

    /// The children of `parentID` of the given kinds, with their outputs, in numeric key order.
    public func children(of parentID: Int, kinds: [String]) async throws -> [TaskResultRow] {
        let rows = try await pool.query(
            """
            SELECT \(fragment: Self.resultColumns)
            FROM \(identifier: schema).tasks t
            LEFT JOIN \(identifier: schema).results r ON r.task_id = t.id
            WHERE t.parent_id = \(parentID) AND t.kind = ANY(\(kinds))
            ORDER BY t.key COLLATE \(identifier: schema).numeric_keys
            """)
        return try rows.map(Self.resultRow)
    }

    static let resultColumns: StaticString = """
        t.id, t.parent_id, t.key, t.kind, t.family, t.state, t.attempt, t.payload::text AS payload,
        r.output::text AS output, r.prompt_version, r.worker, t.last_error_class, t.last_error
        """

    static func resultRow(_ row: PostgresRow) throws -> TaskResultRow {
        let familyText = try row.decode(String.self, "family")
        let stateText = try row.decode(String.self, "state")
        guard let family = TaskFamily(rawValue: familyText), let state = TaskState(rawValue: stateText) else {
            throw PostgresError(
                code: .invalidValue, message: "task family '\(familyText)' or state '\(stateText)' is not one this version of Quarry knows (migrate, or upgrade)",
                column: "state")
        }
        return TaskResultRow(
            taskID: try row.decode(Int.self, "id"), parentID: try row.decode(Int?.self, "parent_id"),
            key: try row.decode(String.self, "key"), kind: try row.decode(String.self, "kind"), family: family, state: state,
            attempt: try row.decode(Int.self, "attempt"), payload: try row.decode(String.self, "payload"),
            output: try row.decode(String?.self, "output"), promptVersion: try row.decode(String?.self, "prompt_version"),
            worker: try row.decode(String?.self, "worker"), errorClass: try row.decode(String?.self, "last_error_class"),
            error: try row.decode(String?.self, "last_error"))
    }

    /// Per kind and state counts of a build (from the ledger), for reports and manifests.
    public func stageCounts(buildID: Int) async throws -> [String: [String: Int]] {
        let rows = try await pool.query(
            "SELECT kind, state, tasks FROM \(identifier: schema).queue_depth WHERE build_id = \(buildID)")
        var counts: [String: [String: Int]] = [:]
        for row in rows {
            counts[try row.decode(String.self, "kind"), default: [:]][try row.decode(String.self, "state")] = try row.decode(Int.self, "tasks")
        }
        return counts
    }

    /// Dead tasks of a build grouped by kind and error class, with one example reason each.
    public func deadSummary(buildID: Int) async throws -> [(kind: String, errorClass: String, count: Int, example: String)] {
        let rows = try await pool.query(
            """
            SELECT kind, coalesce(error_class, 'unknown') AS error_class, count(*) AS n, min(reason) AS example
            FROM \(identifier: schema).dead_tasks WHERE build_id = \(buildID) GROUP BY 1, 2 ORDER BY 1, 2
            """)
        return try rows.map {
            (try $0.decode(String.self, "kind"), try $0.decode(String.self, "error_class"), try $0.decode(Int.self, "n"),
             try $0.decode(String?.self, "example") ?? "")
        }
    }
}
