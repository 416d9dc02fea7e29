/// How long to wait before the next attempt of a failed task. Strategies are values, so a kind can carry
/// its own; add new ones by conforming.
public protocol RetryStrategy: Sendable {
    /// The delay before attempt `attempt + 1`, given that attempt `attempt` (1-based) just failed.
    func delay(afterAttempt attempt: Int) -> Duration
}

/// Exponential backoff with full jitter: a uniformly random delay in [0, min(cap, base × 2^(attempt-1))].
/// Full jitter spreads retries of tasks that failed together (an endpoint outage) instead of re-synchronising them.
public struct ExponentialJitterBackoff: RetryStrategy {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration = .seconds(1), cap: Duration = .seconds(300)) {
        self.base = base
        self.cap = cap
    }

    public func delay(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(cap, base * (1 << exponent))
        let millis = Int64(ceiling.components.seconds) * 1_000 + ceiling.components.attoseconds / 1_000_000_000_000_000
        guard millis > 0 else { return .zero }
        return .milliseconds(Int64.random(in: 0...millis))
    }
}

/// The same delay every time (tests, or kinds where backoff makes no sense).
public struct FixedDelay: RetryStrategy {
    public var delay: Duration
    public init(_ delay: Duration) { self.delay = delay }
    public func delay(afterAttempt attempt: Int) -> Duration { delay }
}
