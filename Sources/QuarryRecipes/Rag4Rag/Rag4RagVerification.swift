/// The output of `rag4rag.verify` and `rag4rag.reverify`: the combined verdict and both of its inputs.
public struct Rag4RagVerification: Sendable, Equatable, Codable {
    public enum Stage: String, Sendable, Codable {
        case verify, reverify
    }

    /// What the judge model said.
    public struct Judge: Sendable, Equatable, Codable {
        public var supported: Bool
        public var unsupportedSpans: [String]
        public var confidence: Double?
        public var reason: String?

        enum CodingKeys: String, CodingKey {
            case supported, confidence, reason
            case unsupportedSpans = "unsupported_spans"
        }

        public init(supported: Bool, unsupportedSpans: [String], confidence: Double?, reason: String?) {
            self.supported = supported
            self.unsupportedSpans = unsupportedSpans
            self.confidence = confidence
            self.reason = reason
        }
    }

    /// `verify` or `reverify`.
    public var stage: Stage
    /// The graph regenerates on `unsupported`.
    public var verdict: Rag4RagVerdict
    /// The answer's spans the passage does not support: the judge's, then the lexical check's.
    public var spans: [String]
    public var confidence: Double?
    public var question: String
    public var answer: String
    /// Nil when there was no answer to judge (a regeneration that found nothing).
    public var judge: Judge?
    public var lexical: LexicalSupport
    public var call: LLMCallRecord?

    public init(
        stage: Stage, verdict: Rag4RagVerdict, spans: [String], confidence: Double?, question: String, answer: String, judge: Judge?,
        lexical: LexicalSupport, call: LLMCallRecord?
    ) {
        self.stage = stage
        self.verdict = verdict
        self.spans = spans
        self.confidence = confidence
        self.question = question
        self.answer = answer
        self.judge = judge
        self.lexical = lexical
        self.call = call
    }
}
