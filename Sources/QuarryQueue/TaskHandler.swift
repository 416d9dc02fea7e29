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
    public var workerID: String
    public var queue: TaskQueue
    private let workerLogger: Logger
    private let taskID: Int
    private let kind: String

    public init(workerID: String, logger: Logger, queue: TaskQueue, taskID: Int, kind: String) {
        self.workerID = workerID
        self.workerLogger = logger
        self.queue = queue
        self.taskID = taskID
        self.kind = kind
    }

    /// The worker's logger with the task's id and kind as metadata, made when asked for: setting metadata
    /// makes the log handler render it again, which cost about an eighth of a no-op task's worker CPU when
    /// it was done for every task, whether anything was logged or not.
    public var logger: Logger {
        var logger = workerLogger
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
