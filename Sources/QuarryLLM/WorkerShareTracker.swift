import Logging
import QuarryQueue
import Synchronization

/// How many live workers share each endpoint's limits, from the workers table (`TaskQueue.liveWorkerCount`),
/// re-read every `refreshInterval`. The caller that finds the count stale reads it (one query per
/// interval per process); everyone else keeps using the last value meanwhile. Without a queue the process
/// is alone: 1.
final class WorkerShareTracker: Sendable {
    private struct State {
        var count = 1
        var fetchedAt: ContinuousClock.Instant?
        var refreshing = false
    }

    let queue: TaskQueue?
    let kind: String?
    let refreshInterval: Duration
    let logger: Logger
    private let state = Mutex(State())

    init(queue: TaskQueue?, kind: String?, refreshInterval: Duration, logger: Logger) {
        self.queue = queue
        self.kind = kind
        self.refreshInterval = refreshInterval
        self.logger = logger
    }

    func current() async -> Int {
        guard let queue else { return 1 }
        let now = ContinuousClock.now
        let (value, mustRefresh) = state.withLock { state -> (Int, Bool) in
            let stale = state.fetchedAt.map { now - $0 >= refreshInterval } ?? true
            if stale && !state.refreshing {
                state.refreshing = true
                return (state.count, true)
            }
            return (state.count, false)
        }
        guard mustRefresh else { return value }
        do {
            let live = try await queue.liveWorkerCount(kind: kind)
            return state.withLock { state in
                state.count = max(1, live)
                state.fetchedAt = ContinuousClock.now
                state.refreshing = false
                return state.count
            }
        } catch {
            logger.warning("could not count live workers, keeping \(value): \(error)")
            state.withLock { state in
                state.refreshing = false
                // Try again at the next interval, not on every call.
                state.fetchedAt = ContinuousClock.now
            }
            return value
        }
    }
}
