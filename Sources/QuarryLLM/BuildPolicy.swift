import QuarryPostgres
import Synchronization

/// What a build's row says about its LLM calls: its budget and whether it opted out of the cache
/// (`"no_cache": true` in its spec). Read once per build per `refreshInterval`.
struct BuildPolicy: Sendable, Equatable {
    var budgetUSD: Double?
    var noCache: Bool

    static let unrestricted = BuildPolicy(budgetUSD: nil, noCache: false)
}

final class BuildPolicyCache: Sendable {
    let pool: PostgresPool
    let schema: String
    let refreshInterval: Duration
    private let entries = Mutex<[Int: (policy: BuildPolicy, at: ContinuousClock.Instant)]>([:])

    init(pool: PostgresPool, schema: String, refreshInterval: Duration) {
        self.pool = pool
        self.schema = schema
        self.refreshInterval = refreshInterval
    }

    func policy(build: Int) async throws -> BuildPolicy {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[build] }), now - entry.at < refreshInterval { return entry.policy }
        let rows = try await pool.query(
            """
            SELECT budget_usd, coalesce(spec -> 'no_cache' = 'true'::jsonb, false) AS no_cache
            FROM \(identifier: schema).builds WHERE id = \(build)
            """)
        let policy =
            try rows.firstRow.map {
                BuildPolicy(budgetUSD: try $0.decode(Double?.self, "budget_usd"), noCache: try $0.decode(Bool.self, "no_cache"))
            } ?? .unrestricted
        entries.withLock { $0[build] = (policy, now) }
        return policy
    }
}
