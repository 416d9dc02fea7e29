import QuarryPostgres

/// What one expansion pass did for a build.
public struct ExpansionReport: Sendable, Equatable {
    public var parentsExpanded = 0
    public var childrenCreated = 0
    public init() {}
}

extension TaskQueue {
    /// Expands up to `batch` finished tasks of a build in one transaction: each edge and join is one
    /// INSERT … SELECT over the batch (keys derived from parents, ON CONFLICT DO NOTHING), then the batch
    /// is marked expanded. A crash anywhere rolls the whole pass back; rerunning it creates no duplicates.
    public func expand(buildID: Int, graph: BuildGraph, batch: Int = 5_000) async throws -> ExpansionReport {
        let s = schema
        let report = try await pool.transaction { tx in
            var report = ExpansionReport()
            let picked = try await tx.query(
                """
                SELECT id FROM \(identifier: s).tasks
                WHERE build_id = \(buildID) AND expanded_at IS NULL AND state IN ('completed', 'dead', 'cancelled')
                ORDER BY id LIMIT \(batch) FOR UPDATE SKIP LOCKED
                """)
            let ids = try picked.map { try $0.decode(Int.self, "id") }
            guard !ids.isEmpty else { return report }
            report.parentsExpanded = ids.count
            // Edges first: a join then sees the children this pass created for parents in the batch.
            for edge in graph.edges {
                report.childrenCreated += try await expandEdge(edge, buildID: buildID, parameters: graph.parameters, ids: ids, on: tx)
            }
            for join in graph.joins {
                report.childrenCreated += try await expandJoin(join, ids: ids, on: tx)
            }
            try await tx.query("UPDATE \(identifier: s).tasks SET expanded_at = now() WHERE id = ANY(\(ids))")
            return report
        }
        if report.childrenCreated > 0 { notify(configuration.taskChannel) }
        return report
    }

    /// A barrier edge (`afterAll`) is looked at when the batch holds a `from` task: if none is waiting or
    /// running any more, it inserts the children of every completed `from` task of the build (those made
    /// before conflict on their keys), so it fires once, whichever task finished last.
    private func expandEdge(_ edge: GraphEdge, buildID: Int, parameters: String, ids: [Int], on tx: PostgresConnection) async throws -> Int {
        let s = schema
        let path = edge.condition.map { $0.jsonPath(parameters: parameters) }
        let elementField: String? = if case .each(let field) = edge.fanOut { field } else { nil }
        let times: Int = if case .times(let n) = edge.fanOut { n } else { 1 }
        let rows = try await tx.query(
            """
            INSERT INTO \(identifier: s).tasks (build_id, kind, family, key, payload, priority, max_attempts, parent_id)
            SELECT p.build_id, \(edge.to), \(edge.family.rawValue),
                   p.key || '/' || \(edge.to) || CASE WHEN e.i IS NULL THEN '' ELSE '/' || e.i END,
                   CASE WHEN \(elementField)::text IS NULL
                        THEN jsonb_build_object('parent_task', p.id, 'index', coalesce(e.i, 1))
                        ELSE jsonb_build_object('parent_task', p.id, 'index', e.i, 'element', e.element) END,
                   \(Int32(edge.priority)), \(Int32(edge.maxAttempts)), p.id
            FROM \(identifier: s).tasks p
            JOIN \(identifier: s).results r ON r.task_id = p.id
            CROSS JOIN LATERAL (
                SELECT x.element, x.i FROM jsonb_array_elements(
                    CASE WHEN jsonb_typeof(r.output -> \(elementField ?? "")::text) = 'array' THEN r.output -> \(elementField ?? "")::text ELSE '[]'::jsonb END
                ) WITH ORDINALITY AS x(element, i)
                WHERE \(elementField)::text IS NOT NULL
                UNION ALL
                SELECT NULL::jsonb, g FROM generate_series(1, \(times)) g WHERE \(elementField)::text IS NULL AND \(times) > 1
                UNION ALL
                SELECT NULL::jsonb, NULL::bigint WHERE \(elementField)::text IS NULL AND \(times) = 1
            ) e
            WHERE p.kind = \(edge.from) AND p.state = 'completed'
              AND CASE WHEN \(edge.afterAll)
                       THEN p.build_id = \(buildID)
                            AND EXISTS (SELECT 1 FROM \(identifier: s).tasks b WHERE b.id = ANY(\(ids)) AND b.kind = \(edge.from))
                            AND NOT EXISTS (SELECT 1 FROM \(identifier: s).tasks u
                                            WHERE u.build_id = \(buildID) AND u.kind = \(edge.from) AND u.state IN ('available', 'running'))
                       ELSE p.id = ANY(\(ids)) END
              AND (\(path?.path)::jsonpath IS NULL OR jsonb_path_exists(r.output, \(path?.path)::jsonpath, \(path?.variables ?? "{}")::jsonb, true))
            ON CONFLICT (build_id, key) DO NOTHING
            """)
        return rows.affectedRows
    }

    /// Candidates are the batch's parents of the join's kind (a parent with no such children joins as soon
    /// as it is expanded) and the parents of the batch's children of the joined kinds.
    private func expandJoin(_ join: GraphJoin, ids: [Int], on tx: PostgresConnection) async throws -> Int {
        let s = schema
        let rows = try await tx.query(
            """
            WITH candidates AS (
                SELECT p.id FROM \(identifier: s).tasks p WHERE p.id = ANY(\(ids)) AND p.kind = \(join.parent)
                UNION
                SELECT c.parent_id FROM \(identifier: s).tasks c
                WHERE c.id = ANY(\(ids)) AND c.kind = ANY(\(join.children)) AND c.parent_id IS NOT NULL
            )
            INSERT INTO \(identifier: s).tasks (build_id, kind, family, key, payload, priority, max_attempts, parent_id)
            SELECT p.build_id, \(join.to), \(join.family.rawValue), p.key || '/' || \(join.to),
                   jsonb_build_object('parent_task', p.id, 'finished', n.finished, 'failed', n.failed),
                   \(Int32(join.priority)), \(Int32(join.maxAttempts)), p.id
            FROM \(identifier: s).tasks p JOIN candidates ON candidates.id = p.id
            CROSS JOIN LATERAL (
                SELECT count(*) FILTER (WHERE c.state IN ('completed', 'dead', 'cancelled')) AS finished,
                       count(*) FILTER (WHERE c.state IN ('dead', 'cancelled')) AS failed,
                       count(*) FILTER (WHERE c.state IN ('available', 'running')) AS open
                FROM \(identifier: s).tasks c WHERE c.parent_id = p.id AND c.kind = ANY(\(join.children))
            ) n
            WHERE p.kind = \(join.parent) AND p.state = 'completed' AND n.open = 0
            ON CONFLICT (build_id, key) DO NOTHING
            """)
        return rows.affectedRows
    }

    /// True when a build has tasks and nothing left to run or expand.
    public func isBuildDrained(_ buildID: Int) async throws -> Bool {
        let rows = try await pool.query(
            """
            SELECT EXISTS (SELECT 1 FROM \(identifier: schema).tasks WHERE build_id = \(buildID))
                   AND NOT EXISTS (
                       SELECT 1 FROM \(identifier: schema).tasks
                       WHERE build_id = \(buildID) AND expanded_at IS NULL AND state IN ('completed', 'dead', 'cancelled'))
                   AND coalesce((SELECT sum(tasks) FROM \(identifier: schema).queue_depth
                                 WHERE build_id = \(buildID) AND state IN ('available', 'running')), 0) = 0 AS drained
            """)
        return try rows[0].decode(Bool.self, "drained")
    }

    /// Active builds that have a graph, with the graph's stored JSON.
    public func activeBuilds() async throws -> [(id: Int, recipe: String?, graph: String)] {
        let rows = try await pool.query(
            "SELECT id, recipe, graph::text AS graph FROM \(identifier: schema).builds WHERE state = 'active' AND graph IS NOT NULL ORDER BY id")
        return try rows.map { (try $0.decode(Int.self, "id"), try $0.decode(String?.self, "recipe"), try $0.decode(String.self, "graph")) }
    }
}
