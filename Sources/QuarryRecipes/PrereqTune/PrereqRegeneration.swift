/// What a regeneration task gets (one element of a verification's `failed`): which version to write
/// again, at which attempt, why the last one failed, and what the other versions already say.
public struct PrereqRegeneration: Sendable, Equatable, Codable {
    public var version: Int
    /// The attempt the new writing is (the verification's level + 1).
    public var attempt: Int
    public var reasons: [PrereqCheck.Reason]
    /// Values the other versions already use, for the generator to avoid (short QA answers).
    public var avoid: [String]

    public init(version: Int, attempt: Int, reasons: [PrereqCheck.Reason], avoid: [String]) {
        self.version = version
        self.attempt = attempt
        self.reasons = reasons
        self.avoid = avoid
    }

    /// The reasons as feedback for the generator.
    public var feedback: String {
        reasons.map { $0.code == .indistinct ? "it repeated the facts of version \($0.other ?? 0)" : "\($0.code.rawValue): \($0.detail)" }
            .joined(separator: "; ")
    }
}
