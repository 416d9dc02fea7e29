import Synchronization

/// A claimed batch's handlers, started in order by as few Swift tasks ("runners") as the handlers allow.
///
/// The claim loop starts a runner on its own thread (`Task.immediateDetached`). The runner takes the
/// batch's tasks one after another for as long as each handler finishes without suspending. When one
/// suspends, the claim loop gets its thread back, detaches that runner (it finishes the handler it is in
/// and takes no more) and starts a new runner for the rest. So a batch of short handlers costs one Swift
/// task, not one per handler (creating, running and freeing one was about a tenth of a no-op task's
/// worker instructions), and handlers that wait on an endpoint or a query still run concurrently, each
/// in its own runner, as before.
///
/// Only the claim loop starts and detaches runners, one at a time; a runner that resumed on another
/// thread before it was detached may take the next task too, which is fine: every task is taken once,
/// under the lock, and `detach` reports whichever task the runner is still in.
final class BatchRun: Sendable {
    let tasks: [ClaimedTask]
    let slots: [Int]

    private struct Progress {
        var next = 0
        /// The number of the runner that may take tasks; detaching moves it on, so no runner matches.
        var runner = 0
        /// The task the current runner has taken and not yet come back from.
        var inFlight: Int?
    }
    private let progress = Mutex(Progress())

    init(tasks: [ClaimedTask], slots: [Int]) {
        precondition(tasks.count == slots.count, "one slot per claimed task")
        self.tasks = tasks
        self.slots = slots
    }

    /// A new runner's number, or nil when every task has been taken. Claim loop only.
    func nextRunner() -> Int? {
        progress.withLock { progress in
            guard progress.next < tasks.count else { return nil }
            progress.runner += 1
            return progress.runner
        }
    }

    /// The index of the next task for `runner` to run, or nil when it has been detached or the batch is done.
    func take(runner: Int) -> Int? {
        progress.withLock { progress in
            guard runner == progress.runner else { return nil }
            guard progress.next < tasks.count else {
                progress.inFlight = nil
                return nil
            }
            progress.inFlight = progress.next
            progress.next += 1
            return progress.inFlight
        }
    }

    /// Stops `runner` taking tasks (its `Task.immediateDetached` returned: it finished or suspended);
    /// returns the index of the task it is still running, if any. Claim loop only.
    func detach(runner: Int) -> Int? {
        progress.withLock { progress in
            guard runner == progress.runner else { return nil }
            progress.runner += 1
            defer { progress.inFlight = nil }
            return progress.inFlight
        }
    }
}
