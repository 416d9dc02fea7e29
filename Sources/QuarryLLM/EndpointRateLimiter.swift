import Foundation
import Synchronization

/// This process's share of an endpoint's pool-wide rpm and tpm, enforced in-process.
///
/// - Share: each limit ÷ live workers (`setWorkers`), so N processes together stay within the limit
///   without talking to each other on the hot path.
/// - Pacing: GCRA (the "virtual scheduling" form of a token bucket). Each request reserves its slot by
///   advancing a theoretical arrival time and then sleeps until that slot; requests are served in the
///   order they asked, spaced evenly, with a burst of at most `burstSeconds` of the rate after idling.
///   No waiter lists: the reservation is one locked arithmetic step.
/// - AIMD on sustained refusals: 429s cut the rate by `decreaseFactor` once they are more than
///   `toleratedShare` of this process's recent responses (counted over about `shareWindow`, and as at least
///   `minimumResponses`, so it takes two refusals in a row to cut at the start). An isolated 429 while the
///   process keeps to its share is a provider's hiccup, not a sign of sending too fast: cutting a quarter of
///   the rate for each costs far more than the 429s (a provider refusing 2 % at random held a pool cutting
///   on every one at 0.85 × its rate), while sending too fast is refused far above 5 % (17 % at 1.2 × a
///   limit). Refusals past the tolerance are throttling, and each cut restarts the refusal count; 429s for
///   requests sent before a cut were in flight when it was made and do not cut again. Every second adds back
///   `increasePerSecond` of the share, up to the share.
final class EndpointRateLimiter: Sendable {
    struct Tuning: Sendable {
        var burstSeconds: Double = 1
        var decreaseFactor: Double = 0.5
        var minimumFactor: Double = 0.05
        var increasePerSecond: Double = 0.02
        var toleratedShare: Double = 0.05
        var shareWindow: Duration = .seconds(5)
        var minimumResponses: Double = 20
    }

    struct Snapshot: Sendable {
        var workers: Int
        var factor: Double
        var requestsPerMinute: Double?
        var tokensPerMinute: Double?
    }

    private struct State {
        var workers = 1
        var factor = 1.0
        var lastFactorUpdate: ContinuousClock.Instant
        /// When refusals last counted as throttling (a cut, or a hold-off decided by the caller).
        var lastReaction: ContinuousClock.Instant?
        var requestTAT: ContinuousClock.Instant
        var tokenTAT: ContinuousClock.Instant
        /// Responses and refusals, decaying with time constant `shareWindow`.
        var responses = 0.0
        var refusals = 0.0
        var countsUpdated: ContinuousClock.Instant
    }

    let rpm: Int?
    let tpm: Int?
    let tuning: Tuning
    private let state: Mutex<State>

    init(rpm: Int?, tpm: Int?, tuning: Tuning = Tuning()) {
        self.rpm = rpm
        self.tpm = tpm
        self.tuning = tuning
        let now = ContinuousClock.now
        state = Mutex(State(lastFactorUpdate: now, requestTAT: now, tokenTAT: now, countsUpdated: now))
    }

    var isLimited: Bool { rpm != nil || tpm != nil }

    /// The number of live workers sharing the limits (at least 1).
    func setWorkers(_ count: Int) {
        state.withLock { $0.workers = max(1, count) }
    }

    /// Waits for a slot for one request estimated at `tokens` tokens.
    func acquire(tokens: Int) async throws {
        guard isLimited else { return }
        let now = ContinuousClock.now
        let startAt: ContinuousClock.Instant = state.withLock { state in
            refreshFactor(&state, now: now)
            var start = now
            if let rpm {
                let interval = secondsPerUnit(limit: rpm, state)
                let tolerance = max(0, tuning.burstSeconds - interval)
                if state.requestTAT < now { state.requestTAT = now }
                start = max(start, state.requestTAT - .seconds(tolerance))
                state.requestTAT += .seconds(interval)
            }
            if let tpm {
                let interval = secondsPerUnit(limit: tpm, state)
                let cost = Double(max(1, tokens)) * interval
                let tolerance = max(0, tuning.burstSeconds)
                if state.tokenTAT < now { state.tokenTAT = now }
                start = max(start, state.tokenTAT - .seconds(tolerance))
                state.tokenTAT += .seconds(cost)
            }
            return start
        }
        if startAt > now {
            try await Task.sleep(until: startAt, clock: .continuous)
        }
    }

    /// Corrects a request's token reservation once the endpoint has counted (`actual` − `estimated`).
    func adjustTokens(estimated: Int, actual: Int) {
        guard let tpm, actual != estimated else { return }
        state.withLock { state in
            let interval = secondsPerUnit(limit: tpm, state)
            state.tokenTAT += .seconds(Double(actual - estimated) * interval)
        }
    }

    /// An answer for a request: one more response the refusal share is counted against.
    func answered() {
        let now = ContinuousClock.now
        state.withLock { state in
            decayCounts(&state, now: now)
            state.responses += 1
        }
    }

    /// A refusal (a 429, or a 503 asking for time) for a request sent at `sentAt`. Returns whether it is
    /// throttling rather than an isolated refusal: refusals above the tolerated share, or a request sent
    /// before the last reaction to throttling (it was in flight then). When it is and `slowDown`, the rate
    /// is cut (`decreaseFactor`); either way the refusal count starts over from this reaction, so the next
    /// one needs fresh evidence.
    @discardableResult
    func refused(sentAt: ContinuousClock.Instant, slowDown: Bool = true) -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in
            if let last = state.lastReaction, sentAt < last { return true }
            decayCounts(&state, now: now)
            state.responses += 1
            state.refusals += 1
            guard state.refusals > tuning.toleratedShare * max(state.responses, tuning.minimumResponses) else { return false }
            if slowDown {
                refreshFactor(&state, now: now)
                state.factor = max(tuning.minimumFactor, state.factor * tuning.decreaseFactor)
                state.lastFactorUpdate = now
            }
            state.refusals = 0
            state.lastReaction = now
            return true
        }
    }

    var snapshot: Snapshot {
        state.withLock { state in
            refreshFactor(&state, now: .now)
            let share = state.factor / Double(state.workers)
            return Snapshot(
                workers: state.workers, factor: state.factor, requestsPerMinute: rpm.map { Double($0) * share },
                tokensPerMinute: tpm.map { Double($0) * share })
        }
    }

    /// Additive increase, computed lazily from the time since the factor last changed.
    private func refreshFactor(_ state: inout State, now: ContinuousClock.Instant) {
        guard state.factor < 1 else {
            state.lastFactorUpdate = now
            return
        }
        let elapsed = now - state.lastFactorUpdate
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        state.factor = min(1, state.factor + seconds * tuning.increasePerSecond)
        state.lastFactorUpdate = now
    }

    /// Ages the response and refusal counts: each weighs exp(−age ÷ `shareWindow`).
    private func decayCounts(_ state: inout State, now: ContinuousClock.Instant) {
        let elapsed = CongestionControl.seconds(now - state.countsUpdated)
        guard elapsed > 0 else { return }
        let weight = exp(-elapsed / CongestionControl.seconds(tuning.shareWindow))
        state.responses *= weight
        state.refusals *= weight
        state.countsUpdated = now
    }

    /// Seconds between units (requests or tokens) at this process's current rate.
    private func secondsPerUnit(limit: Int, _ state: State) -> Double {
        let perMinute = Double(limit) * state.factor / Double(state.workers)
        return 60 / max(perMinute, 1e-9)
    }
}
