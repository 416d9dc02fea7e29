import Dispatch

/// A task executor that runs jobs on a dispatch queue. A task that prefers a connection's executor
/// (`withTaskExecutorPreference(connection.taskExecutor)`) runs on the connection's own queue, so its
/// statements go to libpq and come back on one thread: no hand-off to a dispatch thread and back to the
/// cooperative pool per statement, which were two thread wake-ups and four context switches each.
final class DispatchQueueTaskExecutor: TaskExecutor {
    let queue: DispatchQueue

    init(queue: DispatchQueue) {
        self.queue = queue
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
