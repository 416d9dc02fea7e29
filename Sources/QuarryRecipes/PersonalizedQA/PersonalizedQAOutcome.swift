/// One arm of one question as the exporter sees it: the answer and its judgement when they finished, or
/// that either died.
public struct PersonalizedQAOutcome: Sendable, Equatable {
    public var arm: PersonalizedQAArm
    public var answer: PersonalizedQAAnswer?
    /// The answer task died or was cancelled.
    public var answerFailed: Bool
    public var judgement: PersonalizedQAJudgement?
    /// The judge task died or was cancelled.
    public var judgeFailed: Bool
    /// Prompt versions by stage (`answer`, `judge`).
    public var promptVersions: [String: String]

    public init(
        arm: PersonalizedQAArm, answer: PersonalizedQAAnswer? = nil, answerFailed: Bool = false, judgement: PersonalizedQAJudgement? = nil,
        judgeFailed: Bool = false, promptVersions: [String: String] = [:]
    ) {
        self.arm = arm
        self.answer = answer
        self.answerFailed = answerFailed
        self.judgement = judgement
        self.judgeFailed = judgeFailed
        self.promptVersions = promptVersions
    }

    public enum Status: String, Sendable, Codable {
        /// Answered and judged.
        case judged
        /// Answered, judgement not finished yet.
        case answered
        case failed
        case pending
    }

    public var status: Status {
        if answerFailed || (answer != nil && judgement == nil && judgeFailed) { return .failed }
        guard answer != nil else { return .pending }
        return judgement == nil ? .answered : .judged
    }
}
