/// `rag4rag.generate`'s output: a question and answer in one arm.
public struct Rag4RagGenerated: Sendable, Equatable, Codable {
    public var arm: Rag4RagArm
    public var question: String
    public var answer: String
    public var call: LLMCallRecord

    public init(arm: Rag4RagArm, question: String, answer: String, call: LLMCallRecord) {
        self.arm = arm
        self.question = question
        self.answer = answer
        self.call = call
    }
}
