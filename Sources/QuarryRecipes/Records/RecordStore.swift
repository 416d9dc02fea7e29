import QuarryPostgres
import QuarryQueue

/// A build's input records and rejects: loaded at submit, read by handlers (retrieval) and exporters.
/// Records are the recipe layer's business, not the queue's: the queue knows tasks, leases and results.
/// This is the one place outside the queue that writes SQL, and only on the `records` and `rejects`
/// tables (in the queue's schema, so a build's records go with it).
public struct RecordStore: Sendable {
    public let pool: PostgresPool
    public let schema: String

    public init(pool: PostgresPool, schema: String) {
        self.pool = pool
        self.schema = schema
    }

    /// The store beside `queue`'s tables.
    public init(queue: TaskQueue) {
        self.init(pool: queue.pool, schema: queue.configuration.schema)
    }

    /// Loads a build's input records through COPY, and its rejects. Returns the number of records loaded.
    @discardableResult
    public func load(buildID: Int, _ records: [BuildRecord], rejects: [RejectedRecord] = []) async throws -> Int {
        let loaded = try await pool.withConnection { connection in
            try await connection.copyIn("COPY \(identifier: schema).records (build_id, line, position, data, text) FROM STDIN") { writer in
                for record in records {
                    writer.append(buildID)
                    writer.append(record.line)
                    writer.append(record.position)
                    try writer.append(record.json)
                    try writer.append(record.text)
                    try writer.endRow()
                }
            }
        }
        if !rejects.isEmpty {
            try await pool.query(
                """
                INSERT INTO \(identifier: schema).rejects (build_id, line, position, reason, excerpt)
                SELECT \(buildID), * FROM unnest(\(rejects.map(\.line)), \(rejects.map(\.position)), \(rejects.map(\.reason)), \(rejects.map(\.excerpt)))
                ON CONFLICT DO NOTHING
                """)
        }
        return loaded
    }

    public func rejects(buildID: Int) async throws -> [RejectedRecord] {
        let rows = try await pool.query("SELECT line, position, reason, excerpt FROM \(identifier: schema).rejects WHERE build_id = \(buildID) ORDER BY position")
        return try rows.map {
            RejectedRecord(
                line: try $0.decode(Int.self, "line"), position: try $0.decode(Int.self, "position"), reason: try $0.decode(String.self, "reason"),
                excerpt: try $0.decode(String?.self, "excerpt") ?? "")
        }
    }

    public func count(buildID: Int) async throws -> Int {
        try await pool.query("SELECT count(*) AS n FROM \(identifier: schema).records WHERE build_id = \(buildID)")[0].decode(Int.self, "n")
    }

    /// Full-text retrieval over a build's records: the `limit` best matches for `query`, any of its words
    /// counting (ranked by ts_rank), excluding the record at `excludingPosition` if given.
    public func search(buildID: Int, query: String, limit: Int, excludingPosition: Int? = nil) async throws -> [RecordMatch] {
        let rows = try await pool.query(
            """
            WITH q AS (
                SELECT to_tsquery('english', coalesce(nullif(array_to_string(array(
                    SELECT quote_literal(word) FROM unnest(tsvector_to_array(to_tsvector('english', \(query)))) word), ' | '), ''), 'x & !x')) AS query
            )
            SELECT r.line, r.position, r.data::text AS data, coalesce(r.text, '') AS text, ts_rank(r.search, q.query)::float8 AS rank
            FROM \(identifier: schema).records r, q
            WHERE r.build_id = \(buildID) AND r.search @@ q.query AND (\(excludingPosition)::int IS NULL OR r.position <> \(excludingPosition))
            ORDER BY rank DESC, r.position
            LIMIT \(limit)
            """)
        return try rows.map {
            RecordMatch(
                line: try $0.decode(Int.self, "line"), position: try $0.decode(Int.self, "position"), json: try $0.decode(String.self, "data"),
                text: try $0.decode(String.self, "text"), rank: try $0.decode(Double.self, "rank"))
        }
    }
}
