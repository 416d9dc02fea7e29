/// `rag4rag.regenerate`'s output: the answer from retrieved passages, and what was retrieved.
public struct Rag4RagRegeneration: Sendable, Equatable, Codable {
    public struct Hit: Sendable, Equatable, Codable {
        public var line: Int
        public var rank: Double
    }

    /// The arm whose answer this repairs.
    public var repairedArm: Rag4RagArm
    public var question: String
    /// Empty when nothing was retrieved or the model found no answer.
    public var answer: String
    /// Retrieved records in rank order.
    public var retrieved: [Hit]
    /// Whether the passage the question came from was among them.
    public var goldRetrieved: Bool
    /// The answer occurs verbatim in one of the retrieved passages (what the prompt asks for).
    public var exactSpan: Bool
    /// Nil when nothing was retrieved, so no call was made.
    public var call: LLMCallRecord?

    enum CodingKeys: String, CodingKey {
        case question, answer, retrieved, call
        case repairedArm = "repaired_arm"
        case goldRetrieved = "gold_retrieved"
        case exactSpan = "exact_span"
    }

    public init(
        repairedArm: Rag4RagArm, question: String, answer: String, retrieved: [Hit], goldRetrieved: Bool, exactSpan: Bool, call: LLMCallRecord?
    ) {
        self.repairedArm = repairedArm
        self.question = question
        self.answer = answer
        self.retrieved = retrieved
        self.goldRetrieved = goldRetrieved
        self.exactSpan = exactSpan
        self.call = call
    }
}
