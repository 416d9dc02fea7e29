import Synchronization

/// This process's share of an endpoint's pool-wide rpm and tpm, enforced in-process.
///
/// - Share: each limit ÷ live workers (`setWorkers`), so N processes together stay within the limit
///   without talking to each other on the hot path.
/// - Pacing: GCRA (the "virtual scheduling" form of a token bucket). Each request reserves its slot by
///   advancing a theoretical arrival time and then sleeps until that slot; requests are served in the
///   order they asked, spaced evenly, with a burst of at most `burstSeconds` of the rate after idling.
///   No waiter lists: the reservation is one locked arithmetic step.
/// - AIMD: a 429 cuts the rate by `decreaseFactor` (default 0.75×) (at most once per `decreaseCooldown`, since a whole window of in-flight
///   requests is refused together); every second without one adds back `increasePerSecond` of the share,
///   up to the share.
final class EndpointRateLimiter: Sendable {
    struct Tuning: Sendable {
        var burstSeconds: Double = 1
        var decreaseFactor: Double = 0.5
        var minimumFactor: Double = 0.05
        var increasePerSecond: Double = 0.02
        var decreaseCooldown: Duration = .seconds(2)
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
        var lastDecrease: ContinuousClock.Instant?
        var requestTAT: ContinuousClock.Instant
        var tokenTAT: ContinuousClock.Instant
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
        state = Mutex(State(lastFactorUpdate: now, requestTAT: now, tokenTAT: now))
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

    /// A 429 from the endpoint: multiplicative decrease.
    func rateLimited() {
        let now = ContinuousClock.now
        state.withLock { state in
            refreshFactor(&state, now: now)
            if let last = state.lastDecrease, now - last < tuning.decreaseCooldown { return }
            state.factor = max(tuning.minimumFactor, state.factor * tuning.decreaseFactor)
            state.lastDecrease = now
            state.lastFactorUpdate = now
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

    /// Seconds between units (requests or tokens) at this process's current rate.
    private func secondsPerUnit(limit: Int, _ state: State) -> Double {
        let perMinute = Double(limit) * state.factor / Double(state.workers)
        return 60 / max(perMinute, 1e-9)
    }
}
