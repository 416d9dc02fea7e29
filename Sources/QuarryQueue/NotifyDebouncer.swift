import Synchronization

/// Coalesces bursts of requests into at most one action per interval, always running one after the
/// last request of a burst (a trailing edge), so no request is left without its action.
final class NotifyDebouncer: Sendable {
    private struct State {
        var lastFired: ContinuousClock.Instant?
        var trailingScheduled = false
    }
    private let interval: Duration
    private let state = Mutex(State())

    init(interval: Duration) {
        self.interval = interval
    }

    func request(_ action: @escaping @Sendable () async -> Void) {
        let now = ContinuousClock.now
        let wait: Duration? = state.withLock { state in
            if state.trailingScheduled { return nil }
            if let last = state.lastFired, now - last < interval {
                state.trailingScheduled = true
                return interval - (now - last)
            }
            state.lastFired = now
            return .zero
        }
        guard let wait else { return }
        // Detached from the caller so a slow NOTIFY never delays the enqueue that asked for it.
        Task.detached { [self] in
            if wait > .zero {
                try? await Task.sleep(for: wait)
                state.withLock { state in
                    state.trailingScheduled = false
                    state.lastFired = ContinuousClock.now
                }
            }
            await action()
        }
    }
}
