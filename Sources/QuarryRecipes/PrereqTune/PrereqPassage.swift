/// `prereq.passage`'s output: a passage paraphrasing one verified version's facts (the knowledge set's
/// passage form).
public struct PrereqPassage: Sendable, Equatable, Codable {
    public var version: Int
    public var text: String
    /// Share of the passage's content words found in the version's statements (a paraphrase need not
    /// reuse their words; reported, not enforced).
    public var support: Double
    public var call: LLMCallRecord?

    public init(version: Int, text: String, support: Double, call: LLMCallRecord?) {
        self.version = version
        self.text = text
        self.support = support
        self.call = call
    }
}
