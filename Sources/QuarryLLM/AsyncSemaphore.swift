import Synchronization

/// Bounds concurrent work (an endpoint's `max_in_flight` in this process). Waiters are served first come,
/// first served; a cancelled waiter leaves the line and throws `CancellationError`.
final class AsyncSemaphore: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var available: Int
        /// FIFO with a moving head: removing the first waiter is O(1) even with thousands waiting.
        var waiters: [Waiter?] = []
        var head = 0
        var nextID: UInt64 = 0
        var cancelledBeforeWaiting: Set<UInt64> = []
    }

    private let state: Mutex<State>

    init(permits: Int) {
        state = Mutex(State(available: max(1, permits)))
    }

    func acquire() async throws {
        let (ready, id): (Bool, UInt64) = state.withLock { state in
            if state.available > 0 && state.head == state.waiters.count {
                state.available -= 1
                return (true, 0)
            }
            state.nextID += 1
            return (false, state.nextID)
        }
        if ready { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Action { case wait, resume, cancel }
                let action: Action = state.withLock { state in
                    if state.cancelledBeforeWaiting.remove(id) != nil { return .cancel }
                    if state.available > 0 && state.head == state.waiters.count {
                        state.available -= 1
                        return .resume
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .wait
                }
                switch action {
                case .wait: break
                case .resume: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Void, any Error>? = state.withLock { state in
                for index in state.head..<state.waiters.count where state.waiters[index]?.id == id {
                    let waiter = state.waiters[index]
                    state.waiters[index] = nil
                    return waiter?.continuation
                }
                state.cancelledBeforeWaiting.insert(id)
                return nil
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    func release() {
        let next: CheckedContinuation<Void, any Error>? = state.withLock { state in
            while state.head < state.waiters.count {
                let waiter = state.waiters[state.head]
                state.head += 1
                if let waiter {
                    compact(&state)
                    return waiter.continuation
                }
            }
            compact(&state)
            state.available += 1
            return nil
        }
        next?.resume()
    }

    private func compact(_ state: inout State) {
        if state.head == state.waiters.count {
            state.waiters.removeAll(keepingCapacity: true)
            state.head = 0
        } else if state.head > 1024 && state.head * 2 > state.waiters.count {
            state.waiters.removeFirst(state.head)
            state.head = 0
        }
    }
}
