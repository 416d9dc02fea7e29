import QuarryPostgres

/// One input row of a build.
public struct BuildRecord: Sendable, Equatable {
    /// The line the record starts on (for people; several elements of a JSON array can share one).
    public var line: Int
    /// The record's position in the input, from 1 (rejects counted): what identifies it.
    public var position: Int
    /// The record as JSON text.
    public var json: String
    /// The passage text retrieval searches over, if any.
    public var text: String?

    public init(line: Int, position: Int? = nil, json: String, text: String?) {
        self.line = line
        self.position = position ?? line
        self.json = json
        self.text = text
    }
}

/// A rejected input row and why.
public struct RejectedRecord: Sendable, Equatable {
    public var line: Int
    /// The record's position in the input, from 1.
    public var position: Int
    public var reason: String
    public var excerpt: String

    public init(line: Int, position: Int? = nil, reason: String, excerpt: String) {
        self.line = line
        self.position = position ?? line
        self.reason = reason
        self.excerpt = excerpt
    }
}

/// A retrieval hit.
public struct RecordMatch: Sendable, Equatable {
    public var line: Int
    public var position: Int
    public var json: String
    public var text: String
    public var rank: Double
}

extension TaskQueue {
    /// Loads a build's input records through COPY, and its rejects. Returns the number of records loaded.
    @discardableResult
    public func loadRecords(buildID: Int, _ records: [BuildRecord], rejects: [RejectedRecord] = []) async throws -> Int {
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
                line: try $0.decode(Int.self, "line"), position: try $0.decode(Int.self, "position"), reason: try $0.decode(String.self, "reason"), excerpt: try $0.decode(String?.self, "excerpt") ?? "")
        }
    }

    public func recordCount(buildID: Int) async throws -> Int {
        try await pool.query("SELECT count(*) AS n FROM \(identifier: schema).records WHERE build_id = \(buildID)")[0].decode(Int.self, "n")
    }

    /// Full-text retrieval over a build's records: the `limit` best matches for `query`, any of its words
    /// counting (ranked by ts_rank), excluding the record at `excludingPosition` if given.
    public func searchRecords(buildID: Int, query: String, limit: Int, excludingPosition: Int? = nil) async throws -> [RecordMatch] {
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
                line: try $0.decode(Int.self, "line"), position: try $0.decode(Int.self, "position"), json: try $0.decode(String.self, "data"), text: try $0.decode(String.self, "text"),
                rank: try $0.decode(Double.self, "rank"))
        }
    }
}
