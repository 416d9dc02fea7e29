/// One input record as rag4rag reads it (the spec's field mapping already applied at submit).
public struct Rag4RagRecord: Sendable, Equatable, Codable {
    public var passage: String
    public var topic: String
    public var question: String?
    public var id: String?

    public init(passage: String, topic: String, question: String? = nil, id: String? = nil) {
        self.passage = passage
        self.topic = topic
        self.question = question
        self.id = id
    }
}
