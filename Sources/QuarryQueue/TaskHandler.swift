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
    public var logger: Logger
    public var queue: TaskQueue

    public init(workerID: String, logger: Logger, queue: TaskQueue) {
        self.workerID = workerID
        self.logger = logger
        self.queue = queue
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
