/// Exponential backoff between tries of something that failed for a passing reason (a database that is
/// restarting, a network blip): the one helper every reconnect and retry loop in Quarry uses.
///
/// `next()` hands out `initial`, then doubles up to `maximum`; `reset()` starts over after a success.
public struct Backoff: Sendable {
    public let initial: Duration
    public let maximum: Duration
    private var current: Duration

    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.current = initial
    }

    /// The delay to wait before the next try.
    public mutating func next() -> Duration {
        defer { current = min(current * 2, maximum) }
        return current
    }

    public mutating func reset() {
        current = initial
    }

    /// Runs `body` until it succeeds, waiting `next()` between tries while `shouldRetry` accepts the error,
    /// `until` has not passed and the calling task is not cancelled; otherwise rethrows the last error.
    /// `onRetry` sees each error and the delay before the next try (for a log line).
    public func retrying<T>(
        until deadline: ContinuousClock.Instant? = nil,
        shouldRetry: (any Error) -> Bool,
        onRetry: (any Error, Duration) -> Void = { _, _ in },
        _ body: () async throws -> T
    ) async throws -> T {
        var backoff = self
        while true {
            do {
                return try await body()
            } catch {
                let delay = backoff.next()
                guard shouldRetry(error), !Task.isCancelled else { throw error }
                if let deadline, ContinuousClock.now + delay >= deadline { throw error }
                onRetry(error, delay)
                try await Task.sleep(for: delay)
            }
        }
    }
}
