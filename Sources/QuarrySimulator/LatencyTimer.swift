import Synchronization
import NIOCore

/// Simulated latencies that share event-loop timers: every wait due in the same millisecond is one NIO
/// scheduled task, which resumes all of them.
///
/// Why: at 10,000 requests a second with 200 ms of latency there are 2,000 waits pending at any moment. One
/// NIO timer each meant 2,000 entries in the loop's timer heap, every insertion and removal copying and
/// retaining entries on the way, plus a promise and a closure per request; that was a tenth of the
/// simulator's CPU. `Task.sleep` is worse on Linux (a Dispatch timer and two thread hops per wait). Waits are
/// rounded up to the next millisecond, far below any latency worth simulating.
final class LatencyTimer: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: UnsafeContinuation<Void, any Error>
    }

    private struct State {
        /// Pending waits by due time in whole milliseconds of `NIODeadline` uptime.
        var buckets: [UInt64: [Waiter]] = [:]
        var nextID: UInt64 = 0
        /// While the server stops, every wait ends at once so connections can close gracefully.
        var interrupted = false
    }

    private let state = Mutex(State())

    /// Waits `nanoseconds` (rounded up to the millisecond). Throws `CancellationError` promptly when the task
    /// is cancelled (the server stopping, or a client hanging up on a hang).
    func sleep(nanoseconds: Int64, on eventLoop: any EventLoop) async throws {
        let due = NIODeadline.now() + .nanoseconds(max(0, nanoseconds))
        let bucket = (due.uptimeNanoseconds + 999_999) / 1_000_000
        let id = state.withLock { state in
            state.nextID &+= 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                let firstInBucket: Bool? = state.withLock { state in
                    guard !state.interrupted else { return nil }
                    let isNew = state.buckets[bucket] == nil
                    state.buckets[bucket, default: []].append(Waiter(id: id, continuation: continuation))
                    return isNew
                }
                guard let firstInBucket else {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                if firstInBucket {
                    eventLoop.scheduleTask(deadline: .uptimeNanoseconds(bucket * 1_000_000)) { self.fire(bucket) }
                }
                // A cancel that ran before the waiter was stored found nothing to resume; catch it here.
                if Task.isCancelled { cancel(id: id, bucket: bucket) }
            }
        } onCancel: {
            cancel(id: id, bucket: bucket)
        }
    }

    /// Ends every pending wait with `CancellationError`, and every later one at once, until `resume()`:
    /// used while the server stops, so injected latencies and hangs do not hold graceful shutdown up.
    func interruptAll() {
        let waiters = state.withLock { state -> [Waiter] in
            state.interrupted = true
            defer { state.buckets.removeAll() }
            return state.buckets.values.flatMap { $0 }
        }
        for waiter in waiters { waiter.continuation.resume(throwing: CancellationError()) }
    }

    /// Lets waits run their course again (the simulator was started again).
    func resume() {
        state.withLock { $0.interrupted = false }
    }

    private func fire(_ bucket: UInt64) {
        let waiters = state.withLock { $0.buckets.removeValue(forKey: bucket) } ?? []
        for waiter in waiters { waiter.continuation.resume() }
    }

    /// Whoever removes a waiter resumes it, so it is resumed exactly once.
    private func cancel(id: UInt64, bucket: UInt64) {
        let waiter: Waiter? = state.withLock { state in
            guard let index = state.buckets[bucket]?.firstIndex(where: { $0.id == id }) else { return nil }
            return state.buckets[bucket]?.remove(at: index)
        }
        waiter?.continuation.resume(throwing: CancellationError())
    }
}
