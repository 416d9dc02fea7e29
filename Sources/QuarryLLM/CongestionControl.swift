import Synchronization

/// How one process backs off an endpoint that answers 429 without saying when to come back (no
/// `Retry-After`), as gateways and self-hosted servers often do. Works with or without a configured `rpm`.
///
/// - Cooldown: a 429 without `Retry-After` stops every request of this process to the endpoint for a
///   while: `baseCooldown` doubled per burst in a row without a success in between (up to `maxCooldown`),
///   with jitter so that processes do not come back in step. A success resets the doubling.
/// - Learned rate: the first such 429 caps this process's request rate at `decreaseFactor` × the rate it
///   was sending at; each later burst multiplies the cap by `decreaseFactor` again. A *burst* is one
///   reaction: 429s for requests sent before the last cut were already in flight when it happened and do
///   not cut again, so the cap shrinks once per burst, not once per refused request or per time window.
/// - Regain: additive and slow, `increasePerSecond` of the rate the last burst hit at, per second outside
///   cooldowns.
final class CongestionControl: Sendable {
    struct Tuning: Sendable {
        var decreaseFactor = 0.5
        var increasePerSecond = 0.02
        /// The cap never goes below this many requests per second.
        var minimumRate = 0.05
        var baseCooldown: Duration = .seconds(1)
        var maxCooldown: Duration = .seconds(60)
    }

    struct Snapshot: Sendable {
        /// The cap on requests per second, nil when there is none.
        var requestsPerSecond: Double?
        var cooldownRemaining: Duration?
        var bursts: Int
    }

    private struct State {
        var rate: Double?
        var ceiling = 0.0
        var rateUpdated: ContinuousClock.Instant
        var lastCut: ContinuousClock.Instant?
        var cooldownUntil: ContinuousClock.Instant?
        var level = 0
        var bursts = 0
        var nextSlot: ContinuousClock.Instant
        /// Requests sent in the current and the previous second, for the rate the first cut starts from.
        var windowStart: ContinuousClock.Instant
        var windowCount = 0
        var previousCount = 0
    }

    let tuning: Tuning
    private let state: Mutex<State>

    init(tuning: Tuning = Tuning()) {
        self.tuning = tuning
        let now = ContinuousClock.now
        state = Mutex(State(rateUpdated: now, nextSlot: now, windowStart: now))
    }

    /// Waits out a cooldown and the learned rate's pacing; returns when the request is sent, which
    /// `rateLimited(sentAt:)` and `succeeded(sentAt:)` take back. A slot reserved before a cut is given up
    /// and reserved again at the new rate, so a cut takes effect at once, not after the reservations queued
    /// at the old rate.
    func acquire() async throws -> ContinuousClock.Instant {
        while true {
            let now = ContinuousClock.now
            let (start, epoch): (ContinuousClock.Instant, Int) = state.withLock { state in
                regain(&state, now: now)
                var start = now
                if let until = state.cooldownUntil, until > start { start = until }
                if let rate = state.rate {
                    if state.nextSlot > start { start = state.nextSlot }
                    state.nextSlot = start + .seconds(1 / rate)
                }
                if start <= now { count(&state, at: now) }
                return (start, state.bursts)
            }
            if start <= now { return now }
            try await Task.sleep(until: start, clock: .continuous)
            let kept = state.withLock { state in
                guard state.bursts == epoch else { return false }
                count(&state, at: start)
                return true
            }
            if kept { return start }
        }
    }

    /// A 429 without `Retry-After` for a request sent at `sentAt`. Returns how long the endpoint is held
    /// off from now (what the refused task should wait).
    func rateLimited(sentAt: ContinuousClock.Instant) -> Duration {
        let now = ContinuousClock.now
        return state.withLock { state in
            regain(&state, now: now)
            let sameBurst = state.lastCut.map { sentAt < $0 } ?? false
            if !sameBurst {
                let sending = state.rate ?? measuredRate(state, now: now)
                state.ceiling = max(sending, tuning.minimumRate)
                state.rate = max(tuning.minimumRate, state.ceiling * tuning.decreaseFactor)
                state.lastCut = now
                state.bursts += 1
                let doubled = tuning.baseCooldown * (1 << min(state.level, 16))
                let cooldown = min(doubled, tuning.maxCooldown) * Double.random(in: 0.5...1.0)
                state.level += 1
                state.cooldownUntil = now + cooldown
                state.rateUpdated = now + cooldown
                // Every waiting request reserves again (see `acquire`), from the end of the cooldown.
                state.nextSlot = now + cooldown
            }
            guard let until = state.cooldownUntil, until > now else { return .zero }
            return until - now
        }
    }

    /// A 2xx for a request sent at `sentAt`: the cooldown doubling starts over.
    func succeeded(sentAt: ContinuousClock.Instant) {
        state.withLock { state in
            if state.level > 0, state.lastCut.map({ sentAt >= $0 }) ?? true { state.level = 0 }
        }
    }

    var snapshot: Snapshot {
        let now = ContinuousClock.now
        return state.withLock { state in
            regain(&state, now: now)
            let remaining = state.cooldownUntil.flatMap { $0 > now ? $0 - now : nil }
            return Snapshot(requestsPerSecond: state.rate, cooldownRemaining: remaining, bursts: state.bursts)
        }
    }

    /// Additive increase outside cooldowns, computed lazily from the time since the cap last changed.
    private func regain(_ state: inout State, now: ContinuousClock.Instant) {
        guard let rate = state.rate, now > state.rateUpdated else { return }
        let elapsed = Self.seconds(now - state.rateUpdated)
        state.rate = rate + elapsed * tuning.increasePerSecond * state.ceiling
        state.rateUpdated = now
    }

    private func count(_ state: inout State, at instant: ContinuousClock.Instant) {
        let age = instant - state.windowStart
        if age >= .seconds(1) {
            state.previousCount = age < .seconds(2) ? state.windowCount : 0
            state.windowStart = instant
            state.windowCount = 0
        }
        state.windowCount += 1
    }

    /// Requests per second sent over the last one to two seconds.
    private func measuredRate(_ state: State, now: ContinuousClock.Instant) -> Double {
        let age = max(.zero, now - state.windowStart)
        if age >= .seconds(2) { return 0 }
        if age >= .seconds(1) { return Double(state.windowCount) / Self.seconds(age) }
        return Double(state.previousCount + state.windowCount) / (1 + Self.seconds(age))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
