import Logging

/// Does the work of one task kind. Return the output, or throw (a `TaskError` to choose what happens next).
/// Handlers run concurrently and may be cancelled (task cancelled, lease lost, shutdown deadline): honour
/// Swift task cancellation.
public protocol TaskHandler: Sendable {
    /// How long to wait before retrying a failed attempt of this kind.
    var retryStrategy: any RetryStrategy { get }
    func handle(_ task: ClaimedTask, context: TaskContext) async throws -> TaskOutput
}

extension TaskHandler {
    public var retryStrategy: any RetryStrategy { ExponentialJitterBackoff() }
}

/// What a handler can see of the worker running it.
public struct TaskContext: Sendable {
    /// What every task of one worker shares, held by reference: a context is made for every task, and
    /// copying the worker's id, logger and queue into each was a retain and a release apiece per task.
    final class WorkerSide: Sendable {
        let workerID: String
        let logger: Logger
        let queue: TaskQueue

        init(workerID: String, logger: Logger, queue: TaskQueue) {
            self.workerID = workerID
            self.logger = logger
            self.queue = queue
        }
    }

    private let worker: WorkerSide
    private let taskID: Int
    private let kind: String

    public init(workerID: String, logger: Logger, queue: TaskQueue, taskID: Int, kind: String) {
        self.init(worker: WorkerSide(workerID: workerID, logger: logger, queue: queue), taskID: taskID, kind: kind)
    }

    init(worker: WorkerSide, taskID: Int, kind: String) {
        self.worker = worker
        self.taskID = taskID
        self.kind = kind
    }

    public var workerID: String { worker.workerID }
    public var queue: TaskQueue { worker.queue }

    /// The worker's logger with the task's id and kind as metadata, made when asked for: setting metadata
    /// makes the log handler render it again, which cost about an eighth of a no-op task's worker CPU when
    /// it was done for every task, whether anything was logged or not.
    public var logger: Logger {
        var logger = worker.logger
        logger[metadataKey: "task"] = "\(taskID)"
        logger[metadataKey: "kind"] = "\(kind)"
        return logger
    }
}

/// Task kinds a worker can run, by name.
public struct HandlerRegistry: Sendable {
    public private(set) var handlers: [String: any TaskHandler] = [:]

    public init() {}

    public mutating func register(_ kind: String, _ handler: any TaskHandler) {
        handlers[kind] = handler
    }

    public subscript(kind: String) -> (any TaskHandler)? { handlers[kind] }
    public var kinds: [String] { handlers.keys.sorted() }
}
