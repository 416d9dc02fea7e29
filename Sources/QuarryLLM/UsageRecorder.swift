import Logging
import QuarryPostgres
import Synchronization

/// Tokens, calls and cost per (build, kind, endpoint, model), added up in memory and appended to the
/// `llm_usage` ledger in one statement per flush (at most every `flushInterval` while calls continue, and
/// on `flush()`): cheap at thousands of calls a second, and never a hot row that workers contend on.
final class UsageRecorder: Sendable {
    struct Key: Hashable, Sendable {
        var build: Int
        var kind: String
        var endpoint: String
        var model: String
    }

    struct Totals: Sendable {
        var calls = 0
        var cacheHits = 0
        var errors = 0
        var inputTokens = 0
        var outputTokens = 0
        var costUSD = 0.0

        mutating func add(_ other: Totals) {
            calls += other.calls
            cacheHits += other.cacheHits
            errors += other.errors
            inputTokens += other.inputTokens
            outputTokens += other.outputTokens
            costUSD += other.costUSD
        }
    }

    private struct State {
        var buffer: [Key: Totals] = [:]
        var flushing: [Key: Totals] = [:]
        var isFlushing = false
        var lastFlush: ContinuousClock.Instant
        /// Per build: what the ledger held when last read, and when.
        var spent: [Int: (amount: Double, at: ContinuousClock.Instant)] = [:]
    }

    let pool: PostgresPool
    let schema: String
    let flushInterval: Duration
    let spentRefreshInterval: Duration
    let logger: Logger
    private let state: Mutex<State>

    init(pool: PostgresPool, schema: String, flushInterval: Duration, spentRefreshInterval: Duration, logger: Logger) {
        self.pool = pool
        self.schema = schema
        self.flushInterval = flushInterval
        self.spentRefreshInterval = spentRefreshInterval
        self.logger = logger
        self.state = Mutex(State(lastFlush: .now))
    }

    func record(_ key: Key, _ totals: Totals) {
        state.withLock { $0.buffer[key, default: Totals()].add(totals) }
    }

    /// Flushes when the buffer has waited `flushInterval`; the caller that finds it due does the write.
    func flushIfDue() async {
        let due = state.withLock { state in
            !state.buffer.isEmpty && !state.isFlushing && ContinuousClock.now - state.lastFlush >= flushInterval
        }
        if due {
            do { try await flush() } catch { logger.warning("could not record LLM usage (kept for the next flush): \(error)") }
        }
    }

    /// Writes everything buffered. On failure the rows go back into the buffer.
    func flush() async throws {
        let batch: [Key: Totals] = state.withLock { state in
            guard !state.isFlushing, !state.buffer.isEmpty else { return [:] }
            state.isFlushing = true
            state.flushing = state.buffer
            state.buffer.removeAll()
            return state.flushing
        }
        guard !batch.isEmpty else { return }
        let rows = Array(batch)
        do {
            try await pool.query(
                """
                INSERT INTO \(identifier: schema).llm_usage
                    (build_id, kind, endpoint, model, calls, cache_hits, errors, input_tokens, output_tokens, cost_usd)
                SELECT * FROM unnest(\(rows.map(\.key.build)), \(rows.map(\.key.kind)), \(rows.map(\.key.endpoint)),
                                     \(rows.map(\.key.model)), \(rows.map(\.value.calls)), \(rows.map(\.value.cacheHits)),
                                     \(rows.map(\.value.errors)), \(rows.map(\.value.inputTokens)),
                                     \(rows.map(\.value.outputTokens)), \(rows.map(\.value.costUSD)))
                """)
            state.withLock { state in
                // The ledger now holds these: the spent figures read before must include them too.
                for (key, totals) in state.flushing {
                    if let spent = state.spent[key.build] { state.spent[key.build] = (spent.amount + totals.costUSD, spent.at) }
                }
                state.flushing.removeAll()
                state.isFlushing = false
                state.lastFlush = .now
            }
        } catch {
            state.withLock { state in
                for (key, totals) in state.flushing { state.buffer[key, default: Totals()].add(totals) }
                state.flushing.removeAll()
                state.isFlushing = false
                state.lastFlush = .now
            }
            throw error
        }
    }

    /// What `build` has spent: the ledger (re-read at most every `spentRefreshInterval`) plus what this
    /// process has not written yet.
    func spent(build: Int) async throws -> Double {
        let now = ContinuousClock.now
        let cached: Double? = state.withLock { state in
            guard let entry = state.spent[build], now - entry.at < spentRefreshInterval else { return nil }
            return entry.amount
        }
        let ledger: Double
        if let cached {
            ledger = cached
        } else {
            // Read while holding nothing; a flush landing meanwhile may be counted twice for one interval,
            // which errs on the side of stopping early.
            let rows = try await pool.query(
                "SELECT coalesce(sum(cost_usd), 0)::float8 AS spent FROM \(identifier: schema).llm_usage WHERE build_id = \(build)")
            ledger = try rows[0].decode(Double.self, "spent")
            state.withLock { $0.spent[build] = (ledger, now) }
        }
        return state.withLock { state in
            let unwritten = (Array(state.buffer) + Array(state.flushing)).filter { $0.key.build == build }
            return ledger + unwritten.reduce(0) { $0 + $1.value.costUSD }
        }
    }
}
