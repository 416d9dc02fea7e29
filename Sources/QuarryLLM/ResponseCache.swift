import QuarryJSON
import QuarryPostgres

/// Endpoint answers in PostgreSQL (`llm_cache`), keyed by `CacheKey`: a rerun, a retry after a crash, or a
/// second identical request reads the stored answer instead of paying for it again. Every answer paid
/// for is stored, under the exact request it answered: a chat answer that needed repair rounds leaves one
/// entry per round, so that a call cut short by a failed round replays the rounds it had paid for.
struct ResponseCache: Sendable {
    struct Entry: Sendable {
        var body: [UInt8]
        var usage: TokenUsage
    }

    let pool: PostgresPool
    let schema: String

    func lookup(_ key: [UInt8]) async throws -> Entry? {
        let rows = try await pool.query(
            """
            SELECT response::text AS body, input_tokens, output_tokens
            FROM \(identifier: schema).llm_cache WHERE key = \(PostgresBytes(key))
            """)
        guard let row = rows.firstRow else { return nil }
        return Entry(
            body: Array(try row.decode(String.self, "body").utf8),
            usage: TokenUsage(promptTokens: try row.decode(Int.self, "input_tokens"), completionTokens: try row.decode(Int.self, "output_tokens")))
    }

    /// Stores an answer; a key already present keeps its first answer.
    func store(_ key: [UInt8], endpoint: String, model: String, path: String, body: [UInt8], usage: TokenUsage) async throws {
        try await pool.query(
            """
            INSERT INTO \(identifier: schema).llm_cache (key, endpoint, model, path, response, input_tokens, output_tokens)
            VALUES (\(PostgresBytes(key)), \(endpoint), \(model), \(path), \(PostgresRawJSON(body)),
                    \(usage.promptTokens), \(usage.completionTokens))
            ON CONFLICT (key) DO NOTHING
            """)
    }
}

/// The cache key: SHA-256 over who answers (`Endpoint.cacheIdentity`: its base URL, or a shared
/// `cache_namespace`), the API path, the canonical request body (model, messages, generation parameters
/// and output schema are all in it, keys sorted) and the sample index. The identity keeps a provider's
/// answers from being served for another provider's endpoint that names the same model (a broken key on
/// one must not be hidden by answers cached from the other). The sample index lets a recipe ask for
/// several independent samples of one prompt and still have each cached on its own.
public enum CacheKey {
    public static func make(identity: String, path: String, body: JSONValue, sample: Int) -> [UInt8] {
        var hasher = SHA256()
        hasher.update("quarry-llm-cache-v2\n")
        hasher.update(identity)
        hasher.update("\n")
        hasher.update(path)
        hasher.update("\n")
        hasher.update(body.canonicalBytes)
        hasher.update("\nsample=\(sample)")
        return hasher.finalize()
    }
}
