/// How a claimed task ended on a worker, waiting to be written back in the next flush.
public struct TaskOutcome: Sendable {
    public enum Kind: Sendable, Equatable {
        case completed(TaskOutput)
        /// Failed; back to available after `retryDelay`, or dead when out of attempts.
        case failed(errorClass: String, message: String, retryDelay: Duration)
        /// Failed for good.
        case dead(errorClass: String, message: String)
        /// Back to available after `delay` without consuming an attempt.
        case snoozed(errorClass: String, message: String, delay: Duration)
        /// Back to available now without consuming an attempt (shutdown, paused build).
        case released
    }

    public var taskID: Int
    public var leaseToken: Int
    public var kind: Kind

    public init(taskID: Int, leaseToken: Int, kind: Kind) {
        self.taskID = taskID
        self.leaseToken = leaseToken
        self.kind = kind
    }
}

/// What a flush achieved: the fenced writes that matched, and the ones a lost lease rejected.
public struct SettleReport: Sendable, Equatable {
    public var completed: [Int] = []
    public var requeued: [Int] = []
    public var dead: [Int] = []
    public var released: [Int] = []
    /// Outcomes whose task had meanwhile been rescued, cancelled or re-claimed: nothing was written.
    public var rejected: [Int] = []

    public init() {}
}
