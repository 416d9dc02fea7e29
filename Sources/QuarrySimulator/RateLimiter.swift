import Synchronization
import Foundation

/// Provider-like per-API-key limits on requests and tokens per minute.
///
/// Each key has a token bucket per dimension with capacity `rpm` (or `tpm`) refilled continuously at
/// capacity/60 per second, so a fresh key may burst up to the full minute's allowance, then proceeds at the
/// steady rate. A request is admitted only if both buckets can pay; otherwise nothing is taken. The lock is
/// held only for the arithmetic.
final class RateLimiter: Sendable {
    /// One dimension's state after a decision, for the `x-ratelimit-*` headers.
    struct Snapshot: Sendable {
        var limit: Int
        var remaining: Int
        /// Seconds until the bucket is full again.
        var resetSeconds: Double
    }

    struct Decision: Sendable {
        var allowed: Bool
        var requests: Snapshot?
        var tokens: Snapshot?
        /// When refused: seconds until this request could be admitted (infinite if it never can).
        var retryAfterSeconds: Double
        /// When refused: which limit was hit, "requests" or "tokens".
        var exceeded: String?

        /// `x-ratelimit-limit-requests` and friends, as OpenAI sends them.
        var headers: [(name: String, value: String)] {
            var result: [(name: String, value: String)] = []
            for (suffix, snapshot) in [("requests", requests), ("tokens", tokens)] {
                guard let snapshot else { continue }
                result.append(("x-ratelimit-limit-\(suffix)", String(snapshot.limit)))
                result.append(("x-ratelimit-remaining-\(suffix)", String(snapshot.remaining)))
                result.append(("x-ratelimit-reset-\(suffix)", RateLimiter.formatDuration(snapshot.resetSeconds)))
            }
            return result
        }
    }

    private struct Bucket: Sendable {
        let capacity: Double
        var level: Double
        var updated: ContinuousClock.Instant

        init(capacity: Int, now: ContinuousClock.Instant) {
            self.capacity = Double(capacity)
            self.level = Double(capacity)
            self.updated = now
        }

        var ratePerSecond: Double { capacity / 60 }

        mutating func refill(_ now: ContinuousClock.Instant) {
            let elapsed = now - updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            level = min(capacity, level + seconds * ratePerSecond)
            updated = now
        }

        func secondsUntil(_ amount: Double) -> Double {
            if amount > capacity { return .infinity }
            return max(0, (amount - level) / ratePerSecond)
        }

        func snapshot() -> Snapshot {
            Snapshot(limit: Int(capacity), remaining: max(0, Int(level.rounded(.down))), resetSeconds: (capacity - level) / ratePerSecond)
        }
    }

    private struct KeyState: Sendable {
        var requests: Bucket?
        var tokens: Bucket?
    }

    let rpm: Int?
    let tpm: Int?
    private let state = Mutex<[String: KeyState]>([:])

    init(rpm: Int?, tpm: Int?) {
        self.rpm = rpm
        self.tpm = tpm
    }

    var isActive: Bool { rpm != nil || tpm != nil }

    /// Admits (and charges) one request costing `tokens`, or refuses it without charging.
    func acquire(key: String, tokens cost: Int) -> Decision {
        decide(key: key, tokens: cost, charge: true)
    }

    /// The current state without charging anything, for responses refused before the limiter runs.
    func peek(key: String) -> Decision {
        decide(key: key, tokens: 0, charge: false)
    }

    private func decide(key: String, tokens cost: Int, charge: Bool) -> Decision {
        guard isActive else { return Decision(allowed: true, retryAfterSeconds: 0) }
        let now = ContinuousClock.now
        return state.withLock { states in
            var entry = states[key] ?? KeyState(
                requests: rpm.map { Bucket(capacity: $0, now: now) },
                tokens: tpm.map { Bucket(capacity: $0, now: now) })
            entry.requests?.refill(now)
            entry.tokens?.refill(now)
            var wait = 0.0
            var exceeded: String?
            if charge, let bucket = entry.requests, bucket.level < 1 {
                wait = max(wait, bucket.secondsUntil(1))
                exceeded = "requests"
            }
            if charge, let bucket = entry.tokens, bucket.level < Double(cost) {
                wait = max(wait, bucket.secondsUntil(Double(cost)))
                exceeded = exceeded ?? "tokens"
            }
            let allowed = exceeded == nil
            if charge && allowed {
                entry.requests?.level -= 1
                entry.tokens?.level -= Double(cost)
            }
            states[key] = entry
            return Decision(
                allowed: allowed, requests: entry.requests?.snapshot(), tokens: entry.tokens?.snapshot(),
                retryAfterSeconds: wait, exceeded: exceeded)
        }
    }

    /// Go-style durations as OpenAI sends them: "20ms", "1.5s", "6m0s".
    static func formatDuration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "1m0s" }
        let clamped = max(0, seconds)
        if clamped < 1 {
            return "\(Int((clamped * 1000).rounded(.up)))ms"
        }
        if clamped < 60 {
            let tenths = (clamped * 10).rounded(.up) / 10
            return tenths == tenths.rounded() ? "\(Int(tenths))s" : "\(tenths)s"
        }
        let whole = Int(clamped.rounded(.up))
        return "\(whole / 60)m\(whole % 60)s"
    }
}
