import Foundation
import QuarryPostgres
import Synchronization

/// Endpoint calls in flight across worker processes (`llm_calls_in_flight`), so that two processes needing
/// the same uncached answer at the same moment pay for it once: the first claims the cache key and calls,
/// the others wait for the claim to go and read the answer from the response cache.
///
/// Only answers are shared, as within a process (`InFlightCalls`): when the claimant's call fails, its claim
/// goes with nothing cached, and the next process to need the answer claims it and calls for itself.
///
/// A claim lasts `lease` and is renewed with every other claim of the process by `renew()`, which
/// `LLMService.runBackgroundWrites` calls every second; a claim whose process died is taken over once its lease
/// has run out.
final class CallClaims: Sendable {
    /// How long a claim holds without being renewed.
    static let lease = Duration.seconds(30)

    enum Claim: Sendable {
        /// This process holds the key until `release`.
        case claimed
        /// Another process is calling; its claim lasts at most until then.
        case heldElsewhere
    }

    let pool: PostgresPool
    let schema: String
    /// This process, as recorded in each claim: host, pid and a nonce (two services in one process, as in
    /// tests, must not take each other's claims for their own).
    let owner: String
    /// Claims this process holds now; `renew()` has nothing to do while there are none.
    private let held = Atomic<Int>(0)

    init(pool: PostgresPool, schema: String) {
        self.pool = pool
        self.schema = schema
        self.owner = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
    }

    /// Claims `key`, unless another live claim holds it. A claim past its lease (its process died mid-call)
    /// is taken over.
    func claim(_ key: [UInt8]) async throws -> Claim {
        let rows = try await pool.query(
            """
            INSERT INTO \(identifier: schema).llm_calls_in_flight AS f (key, owner, until)
            VALUES (\(PostgresBytes(key)), \(owner), now() + \(Self.lease.milliseconds) * interval '1 millisecond')
            ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, until = excluded.until WHERE f.until < now()
            RETURNING f.owner
            """)
        guard !rows.isEmpty else { return .heldElsewhere }
        held.add(1, ordering: .relaxed)
        return .claimed
    }

    /// Ends this process's claim on `key`. When this fails the claim expires by itself; meanwhile other
    /// processes wait for it rather than pay twice.
    func release(_ key: [UInt8]) async throws {
        held.subtract(1, ordering: .relaxed)
        try await pool.query(
            "DELETE FROM \(identifier: schema).llm_calls_in_flight WHERE key = \(PostgresBytes(key)) AND owner = \(owner)")
    }

    /// Extends every claim this process holds by a lease, in one statement (none while it holds none). The
    /// same statement deletes claims a minute past their lease: those of processes that died mid-call, for
    /// answers nobody has asked for since (they count as free anyway; this only keeps the table small).
    func renew() async throws {
        guard held.load(ordering: .relaxed) > 0 else { return }
        try await pool.query(
            """
            WITH renewed AS (
                UPDATE \(identifier: schema).llm_calls_in_flight SET until = now() + \(Self.lease.milliseconds) * interval '1 millisecond'
                WHERE owner = \(owner)
            )
            DELETE FROM \(identifier: schema).llm_calls_in_flight WHERE until < now() - interval '1 minute'
            """)
    }

    /// Waits until no live claim holds `key`: polled, from every 20 ms up to every 500 ms.
    func waitForRelease(_ key: [UInt8]) async throws {
        var backoff = Backoff(initial: .milliseconds(20), maximum: .milliseconds(500))
        while true {
            try await Task.sleep(for: backoff.next())
            let rows = try await pool.query(
                "SELECT 1 FROM \(identifier: schema).llm_calls_in_flight WHERE key = \(PostgresBytes(key)) AND until >= now()")
            if rows.isEmpty { return }
        }
    }
}
