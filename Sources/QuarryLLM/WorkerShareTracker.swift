import Logging
import QuarryQueue
import Synchronization

/// How many live workers share each endpoint's limits, from the workers table (`TaskQueue.liveWorkerCount`),
/// re-read every `refreshInterval`, or after a tenth of it while the pool is changing (the first read, and
/// every read that found a different count): processes of a pool start together, and one that counted
/// only the workers registered before its first call sent up to that many times its share until its next
/// read (1.54 × the pool's rpm over the first 5 s of a benchmarked build). The caller that finds the count
/// stale reads it (one query per interval per process); everyone else keeps using the last value meanwhile.
/// Without a queue the process is alone: 1.
final class WorkerShareTracker: Sendable {
    private struct State {
        var count = 1
        var fetchedAt: ContinuousClock.Instant?
        /// Whether the last read found the count the read before it did.
        var settled = false
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

    /// Whether the last two reads agreed (reads then come every `refreshInterval`).
    var isSettled: Bool { state.withLock { $0.settled } }

    func current() async -> Int {
        guard let queue else { return 1 }
        let now = ContinuousClock.now
        let (value, mustRefresh) = state.withLock { state -> (Int, Bool) in
            let interval = state.settled ? refreshInterval : refreshInterval / 10
            let stale = state.fetchedAt.map { now - $0 >= interval } ?? true
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
                state.settled = state.fetchedAt != nil && state.count == max(1, live)
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
