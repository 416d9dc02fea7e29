/// Thrown by a handler to tell the queue what to do with its task. Any other error counts as a retryable
/// failure of class `error`.
public struct TaskError: Error, Sendable, CustomStringConvertible {
    public enum Action: Sendable, Equatable {
        /// Try again later; consumes an attempt. `after` overrides the kind's retry strategy.
        case retry(after: Duration?)
        /// Come back at `after` without consuming an attempt (rate limits, Retry-After). Bounded by the
        /// queue's snooze limit, past which a snooze counts as a failed attempt.
        case snooze(after: Duration)
        /// Give up now: the task goes to `dead` with this error as its reason.
        case dead
        /// Stop the whole build (e.g. the endpoint rejects our credentials). The task goes back to
        /// `available` without consuming an attempt and runs when the build is resumed.
        case pauseBuild(reason: String)
        /// This worker cannot run the build's tasks but another may (its endpoints file lacks the build's
        /// endpoint): the task goes back to `available` without consuming an attempt, and this worker
        /// leaves the build's tasks to others for a while.
        case leaveToOtherWorkers(reason: String)
    }

    /// A short machine-readable class (`timeout`, `http_500`, `rate_limited`, `bad_output`, …).
    public var errorClass: String
    public var message: String
    public var action: Action
    /// Set when the failure is likely to hit every task the same way (a bad key, a wrong URL, an unknown
    /// model): the worker's systemic-failure breaker counts deaths by it.
    public var signature: FailureSignature?

    public init(errorClass: String, message: String, action: Action, signature: FailureSignature? = nil) {
        self.errorClass = errorClass
        self.message = message
        self.action = action
        self.signature = signature
    }

    public static func retryable(_ errorClass: String, _ message: String, after: Duration? = nil) -> TaskError {
        TaskError(errorClass: errorClass, message: message, action: .retry(after: after))
    }

    public static func permanent(_ errorClass: String, _ message: String) -> TaskError {
        TaskError(errorClass: errorClass, message: message, action: .dead)
    }

    public static func snooze(_ errorClass: String, _ message: String, after: Duration) -> TaskError {
        TaskError(errorClass: errorClass, message: message, action: .snooze(after: after))
    }

    public var description: String { "\(errorClass): \(message)" }
}
