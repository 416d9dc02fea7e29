import QuarryPostgres

/// What one expansion pass did for a build.
public struct ExpansionReport: Sendable, Equatable {
    public var parentsExpanded = 0
    public var childrenCreated = 0
    public init() {}
}

extension TaskQueue {
    /// Creates the first-stage tasks of a build from its records (once; idempotent by key).
    /// Returns the number of tasks created.
    @discardableResult
    public func seed(buildID: Int, graph: BuildGraph) async throws -> Int {
        let created = try await pool.transaction { tx in
            var created = 0
            for seed in graph.seeds {
                let rows = try await tx.query(
                    """
                    INSERT INTO \(identifier: schema).tasks (build_id, kind, family, key, payload, priority, max_attempts)
                    SELECT r.build_id, \(seed.kind), \(seed.family.rawValue),
                           'r' || r.position || '/' || \(seed.kind) || CASE WHEN v = '' THEN '' ELSE '/' || v END,
                           jsonb_build_object('record', r.data, 'line', r.line, 'position', r.position, 'variant', v),
                           \(Int32(seed.priority)), \(Int32(seed.maxAttempts))
                    FROM \(identifier: schema).records r CROSS JOIN unnest(\(seed.variants)::text[]) AS v
                    WHERE r.build_id = \(buildID)
                    ORDER BY r.position, v
                    ON CONFLICT (build_id, key) DO NOTHING
                    """)
                created += rows.affectedRows
            }
            try await tx.query("UPDATE \(identifier: schema).builds SET seeded_at = now() WHERE id = \(buildID)")
            return created
        }
        if created > 0 { notify(configuration.taskChannel) }
        return created
    }

    /// Expands up to `batch` finished tasks of a build in one transaction: each edge and fan-in is one
    /// INSERT … SELECT over the batch (keys derived from parents, ON CONFLICT DO NOTHING), then the batch
    /// is marked expanded. A crash anywhere rolls the whole pass back; rerunning it creates no duplicates.
    public func expand(buildID: Int, graph: BuildGraph, batch: Int = 5_000) async throws -> ExpansionReport {
        var report = ExpansionReport()
        let s = schema
        report = try await pool.transaction { tx in
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
            for edge in graph.edges {
                report.childrenCreated += try await expandEdge(edge, ids: ids, on: tx)
            }
            for fanIn in graph.fanIns {
                report.childrenCreated += try await expandFanIn(fanIn, ids: ids, on: tx)
            }
            try await tx.query("UPDATE \(identifier: s).tasks SET expanded_at = now() WHERE id = ANY(\(ids))")
            return report
        }
        if report.childrenCreated > 0 { notify(configuration.taskChannel) }
        return report
    }

    private func expandEdge(_ edge: ExpansionRule, ids: [Int], on tx: PostgresConnection) async throws -> Int {
        let s = schema
        // The condition, from bound values only: a text comparison of one output field (JSON booleans
        // read as 'true'/'false' through ->>).
        let (field, expected): (String?, String) =
            switch edge.condition {
            case .none: (nil, "")
            case .equals(let field, let value): (field, value)
            case .isTrue(let field): (field, "true")
            case .isFalse(let field): (field, "false")
            }
        let elementField: String? = if case .eachElement(let field) = edge.fanOut { field } else { nil }
        let times: Int = if case .times(let n) = edge.fanOut { n } else { 1 }
        let rows = try await tx.query(
            """
            INSERT INTO \(identifier: s).tasks (build_id, kind, family, key, payload, priority, max_attempts, parent_id)
            SELECT p.build_id, \(edge.to), \(edge.family.rawValue),
                   p.key || '/' || \(edge.to) || CASE WHEN e.i IS NULL THEN '' ELSE '/' || e.i END,
                   jsonb_build_object('parent', p.payload, 'output', coalesce(e.element, r.output), 'index', coalesce(e.i, 1), 'parent_task', p.id),
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
            WHERE p.id = ANY(\(ids)) AND p.kind = \(edge.from) AND p.state = 'completed'
              AND (\(field)::text IS NULL OR r.output ->> \(field)::text = \(expected)::text)
            ON CONFLICT (build_id, key) DO NOTHING
            """)
        return rows.affectedRows
    }

    private func expandFanIn(_ fanIn: FanInRule, ids: [Int], on tx: PostgresConnection) async throws -> Int {
        let s = schema
        let rows = try await tx.query(
            """
            WITH candidates AS (
                SELECT DISTINCT c.parent_id AS id FROM \(identifier: s).tasks c
                WHERE c.id = ANY(\(ids)) AND c.kind = \(fanIn.childKind) AND c.parent_id IS NOT NULL
            )
            INSERT INTO \(identifier: s).tasks (build_id, kind, family, key, payload, priority, max_attempts, parent_id)
            SELECT p.build_id, \(fanIn.to), \(fanIn.family.rawValue), p.key || '/' || \(fanIn.to),
                   jsonb_build_object(
                       'parent', p.payload,
                       'parent_output', (SELECT r.output FROM \(identifier: s).results r WHERE r.task_id = p.id),
                       'outputs', coalesce((SELECT jsonb_agg(r.output ORDER BY c.key)
                                            FROM \(identifier: s).tasks c JOIN \(identifier: s).results r ON r.task_id = c.id
                                            WHERE c.parent_id = p.id AND c.kind = \(fanIn.childKind)), '[]'::jsonb),
                       'finished', (SELECT count(*) FROM \(identifier: s).tasks c WHERE c.parent_id = p.id AND c.kind = \(fanIn.childKind)),
                       'failed', (SELECT count(*) FROM \(identifier: s).tasks c
                                  WHERE c.parent_id = p.id AND c.kind = \(fanIn.childKind) AND c.state <> 'completed')),
                   \(Int32(fanIn.priority)), \(Int32(fanIn.maxAttempts)), p.id
            FROM \(identifier: s).tasks p JOIN candidates ON candidates.id = p.id
            WHERE p.kind = \(fanIn.parentKind)
              AND NOT EXISTS (SELECT 1 FROM \(identifier: s).tasks c
                              WHERE c.parent_id = p.id AND c.kind = \(fanIn.childKind) AND c.state IN ('available', 'running'))
            ON CONFLICT (build_id, key) DO NOTHING
            """)
        return rows.affectedRows
    }

    /// True when a build has nothing left to run or expand.
    public func isBuildDrained(_ buildID: Int) async throws -> Bool {
        let rows = try await pool.query(
            """
            SELECT NOT EXISTS (
                       SELECT 1 FROM \(identifier: schema).tasks
                       WHERE build_id = \(buildID) AND expanded_at IS NULL AND state IN ('completed', 'dead', 'cancelled'))
                   AND coalesce((SELECT sum(tasks) FROM \(identifier: schema).queue_depth
                                 WHERE build_id = \(buildID) AND state IN ('available', 'running')), 0) = 0 AS drained
            """)
        return try rows[0].decode(Bool.self, "drained")
    }

    /// Active builds, with whether they have been seeded.
    public func activeBuilds() async throws -> [(id: Int, recipe: String?, seeded: Bool)] {
        let rows = try await pool.query(
            "SELECT id, recipe, seeded_at IS NOT NULL AS seeded FROM \(identifier: schema).builds WHERE state = 'active' ORDER BY id")
        return try rows.map { (try $0.decode(Int.self, "id"), try $0.decode(String?.self, "recipe"), try $0.decode(Bool.self, "seeded")) }
    }
}
