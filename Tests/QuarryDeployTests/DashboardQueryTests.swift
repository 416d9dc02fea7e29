import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Testing
import Yams

/// The SQL that operators' tools run, run for real: every Grafana panel's query and KEDA's scaling query,
/// as the quarry_monitor role, against a migrated schema with builds, tasks, a worker and LLM usage in it.
@Suite("Grafana dashboard and KEDA query: SQL as quarry_monitor")
struct DashboardQueryTests {
    struct Panel {
        var title: String
        var sql: String
        /// The columns the panel shows: a table's organize transformation, a stat's field regex.
        var columns: [String]
    }

    static func panels() throws -> [Panel] {
        let data = try Data(contentsOf: URL(fileURLWithPath: DeployTools.path("grafana/quarry-dashboard.json")))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        return try panels.map { panel in
            let title = panel["title"] as? String ?? "?"
            let targets = try #require(panel["targets"] as? [[String: Any]], "panel \(title) has no query")
            try #require(targets.count == 1, "panel \(title): one query per panel")
            let sql = try #require(targets[0]["rawSql"] as? String, "panel \(title) has no rawSql")
            var columns: [String] = []
            for transformation in panel["transformations"] as? [[String: Any]] ?? [] where transformation["id"] as? String == "organize" {
                let order = (transformation["options"] as? [String: Any])?["indexByName"] as? [String: Int] ?? [:]
                columns += order.sorted { $0.value < $1.value }.map(\.key)
            }
            if let fields = ((panel["options"] as? [String: Any])?["reduceOptions"] as? [String: Any])?["fields"] as? String,
                fields.hasPrefix("/^("), fields.hasSuffix(")$/")
            {
                columns += fields.dropFirst(3).dropLast(3).split(separator: "|").map(String.init)
            }
            try #require(!columns.isEmpty, "panel \(title) names no columns it reads")
            return Panel(title: title, sql: sql, columns: columns)
        }
    }

    /// A migrated schema with an active build (3 waiting, 2 running), a paused one (3 waiting), a dead task,
    /// a failed attempt, a live worker and LLM usage.
    static func withPopulated(_ body: (PostgresPool, String) async throws -> Void) async throws {
        let pool = TestDatabase.pool(maxConnections: 2)
        do {
            try await body(pool, try await populate(pool))
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }

    private static func populate(_ pool: PostgresPool) async throws -> String {
        let schema = try await TestDatabase.migratedSchema(pool: pool, prefix: "dash")
        let queue = TaskQueue(pool: pool, configuration: QueueConfiguration(schema: schema))
        let active = try await queue.createBuild(name: "active", budgetUSD: 5)
        _ = try await queue.enqueue(buildID: active, (0..<5).map { NewTask(kind: "noop", family: .generation, key: "a\($0)") })
        let paused = try await queue.createBuild(name: "paused", pausedReason: "operator")
        _ = try await queue.enqueue(buildID: paused, (0..<3).map { NewTask(kind: "noop", family: .generation, key: "p\($0)") })
        let worker = WorkerRegistration.current(version: "test", concurrency: 2, kinds: ["noop"])
        try await queue.register(worker)
        #expect(try await queue.claim(worker: worker.id, limit: 2).count == 2)
        try await pool.query(
            """
            INSERT INTO \(identifier: schema).task_attempts (task_id, attempt, build_id, kind, worker, error_class, message)
            SELECT id, 1, build_id, kind, \(worker.id), 'http_500', 'server error' FROM \(identifier: schema).tasks WHERE key = 'a0'
            """)
        try await pool.query(
            """
            UPDATE \(identifier: schema).tasks SET state = 'dead', last_error = 'gave up', last_error_class = 'http_400', finished_at = now()
            WHERE build_id = \(paused) AND key = 'p2'
            """)
        try await pool.query(
            """
            INSERT INTO \(identifier: schema).llm_usage (build_id, kind, endpoint, model, calls, input_tokens, output_tokens, cost_usd)
            VALUES (\(active), 'noop', 'sim', 'sim-small', 3, 300, 60, 0.25)
            """)
        return schema
    }

    /// Runs `sql` (written against the `quarry` schema) in `schema` as quarry_monitor.
    static func asMonitor(_ pool: PostgresPool, schema: String, _ sql: String) async throws -> PostgresResult {
        let quoted = PostgresQuery.quoteIdentifier(schema)
        return try await pool.transaction { connection in
            try await connection.query("SET LOCAL ROLE quarry_monitor")
            return try await connection.query(PostgresQuery(unsafeSQL: sql.replacingOccurrences(of: "quarry.", with: quoted + ".")))
        }
    }

    @Test("every panel's query runs as quarry_monitor and returns the columns the panel reads")
    func panelQueries() async throws {
        let panels = try Self.panels()
        #expect(panels.count >= 10)
        try await Self.withPopulated { pool, schema in
          for panel in panels {
            do {
                let result = try await Self.asMonitor(pool, schema: schema, panel.sql)
                let missing = panel.columns.filter { !result.columns.contains($0) }
                #expect(missing.isEmpty, "panel '\(panel.title)' reads \(missing) but its query returns \(result.columns)")
                #expect(!result.isEmpty, "panel '\(panel.title)' shows nothing on a populated database")
            } catch {
                Issue.record("panel '\(panel.title)': \(error)")
            }
          }
        }
    }

    @Test("the dashboard covers builds, depth, throughput, workers, oldest waiting, errors, dead tasks, tokens and budget")
    func coverage() async throws {
        let sql = try Self.panels().map(\.sql).joined(separator: "\n")
        for view in ["build_progress", "queue_depth", "throughput", "worker_status", "oldest_waiting", "recent_errors", "dead_tasks", "llm_usage_by_build"] {
            #expect(sql.contains("quarry.\(view)"), "no panel reads quarry.\(view)")
        }
        #expect(sql.contains("budget_left_usd"))
    }

    @Test("a panel reading a column its query does not return is caught")
    func catchesMissingColumn() async throws {
        try await Self.withPopulated { pool, schema in
            let result = try await Self.asMonitor(pool, schema: schema, "SELECT age_seconds FROM quarry.oldest_waiting")
            #expect(!result.columns.contains("age"))
            // quarry_monitor reads the views, not the tables behind them.
            await #expect(throws: PostgresError.self) {
                _ = try await Self.asMonitor(pool, schema: schema, "SELECT * FROM quarry.tasks")
            }
        }
    }

    @Test("KEDA's query, as quarry_monitor, counts running tasks and the waiting tasks of active builds")
    func kedaQuery() async throws {
        let text = try String(contentsOfFile: KubernetesTests.base + "/worker-scaling.yaml", encoding: .utf8)
        let scaled = try #require(try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }.first { $0["kind"] as? String == "ScaledObject" })
        let trigger = try #require(((scaled["spec"] as? [String: Any])?["triggers"] as? [[String: Any]])?.first)
        let query = try #require((trigger["metadata"] as? [String: String])?["query"])
        try await Self.withPopulated { pool, schema in
            let result = try await Self.asMonitor(pool, schema: schema, query)
            #expect(result.count == 1 && result.columns.count == 1, "KEDA reads one value: got \(result.columns) × \(result.count)")
            // Active build: 3 waiting + 2 running; the paused build's waiting tasks do not call for workers.
            #expect(try result[0].decode(Int.self, at: 0) == 5)
        }
    }
}
