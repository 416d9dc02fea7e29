/// `prereq.biography`'s (and its regenerations') output: one version of an entity's knowledge, written
/// top-down: a biography (or medical description) around the version's fact sheet, then the atomic
/// statements extracted from it.
public struct PrereqVersion: Sendable, Equatable, Codable {
    /// K's index, from 1.
    public var version: Int
    /// 0 for the first writing, n for the n-th regeneration.
    public var attempt: Int
    /// The fact sheet the biography was written around.
    public var facts: [String]
    /// The biography or description: the task set's answer.
    public var biography: String
    /// Its sentence count (the target is a parameter; the count is reported, not enforced).
    public var sentences: Int
    /// Atomic statements that name the entity: the knowledge set.
    public var statements: [String]
    /// Extracted statements that did not name the entity, dropped from the knowledge set.
    public var unnamed: [String]
    public var calls: [LLMCallRecord]

    public init(
        version: Int, attempt: Int, facts: [String], biography: String, sentences: Int, statements: [String], unnamed: [String],
        calls: [LLMCallRecord]
    ) {
        self.version = version
        self.attempt = attempt
        self.facts = facts
        self.biography = biography
        self.sentences = sentences
        self.statements = statements
        self.unnamed = unnamed
        self.calls = calls
    }
}
