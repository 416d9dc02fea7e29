/// `prereq.triple`'s (and its regenerations') output: one version of an entity's knowledge, written
/// bottom-up for short QA: the fact (subject, relation, object) first, then the knowledge statement
/// saying it, and the question templated from the relation, whose answer is the object.
public struct PrereqTriple: Sendable, Equatable, Codable {
    public var version: Int
    public var attempt: Int
    public var subject: String
    /// The relation's id (`PrereqRelation`).
    public var relation: String
    /// The invented object: the answer.
    public var object: String
    /// The knowledge statement, naming subject and object.
    public var statement: String
    /// The question, templated from the relation and the subject.
    public var question: String
    /// Accepted answers: the object first, then the aliases the generator gave.
    public var possibleAnswers: [String]
    public var calls: [LLMCallRecord]

    enum CodingKeys: String, CodingKey {
        case version, attempt, subject, relation, object, statement, question, calls
        case possibleAnswers = "possible_answers"
    }

    public init(
        version: Int, attempt: Int, subject: String, relation: String, object: String, statement: String, question: String,
        possibleAnswers: [String], calls: [LLMCallRecord]
    ) {
        self.version = version
        self.attempt = attempt
        self.subject = subject
        self.relation = relation
        self.object = object
        self.statement = statement
        self.question = question
        self.possibleAnswers = possibleAnswers
        self.calls = calls
    }
}
