/// What identifies a failure that is likely to hit every task the same way: the same endpoint answering
/// the same status, error type and message class. Handlers attach one to the `TaskError`s they throw for
/// such failures; the worker's systemic-failure breaker counts task deaths per build by it (see
/// `TaskQueue.recordDeath`) and pauses the build after `WorkerConfiguration.breakerThreshold` in a row.
public struct FailureSignature: Sendable, Equatable {
    /// Compared for equality: e.g. `gpt|400|no_db_connection|no connected db.`.
    public var key: String
    /// Says what happened, for the pause reason: "endpoint 'gpt' answered 400 'No connected db.'".
    public var summary: String
    /// Says what to check: "check its key and URL".
    public var hint: String

    public init(key: String, summary: String, hint: String) {
        self.key = key
        self.summary = summary
        self.hint = hint
    }

    /// A message with its variable parts (numbers, ids) blanked and cut to a bounded length, so that
    /// "request 1234 failed" and "request 1235 failed" are one class.
    public static func messageClass(_ message: String) -> String {
        var result = ""
        var lastWasDigit = false
        for character in message.lowercased().prefix(160) {
            if character.isNumber {
                if !lastWasDigit { result.append("#") }
                lastWasDigit = true
            } else {
                result.append(character)
                lastWasDigit = false
            }
        }
        return result
    }
}
