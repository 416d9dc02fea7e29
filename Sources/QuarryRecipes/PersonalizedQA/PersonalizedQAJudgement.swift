/// `pqa.judge`'s output: whether an answer holds hallucinated content, which of its claims, and whether
/// it uses the asker's profile off-topic.
public struct PersonalizedQAJudgement: Sendable, Equatable, Codable {
    /// A claim of the answer the judge flagged.
    public struct Claim: Sendable, Equatable, Codable {
        public enum Problem: String, Sendable, Codable {
            /// Nothing the judge had (question, accepted answer, established knowledge) supports it.
            case unsupported
            /// It contradicts the references or established facts.
            case wrong
        }

        public var text: String
        public var problem: Problem
        /// Where the claim occurs in the answer, in Unicode scalars (Python string indices), end
        /// exclusive; nil when the judge's words are not a verbatim span of the answer.
        public var start: Int?
        public var end: Int?

        public init(text: String, problem: Problem, start: Int?, end: Int?) {
            self.text = text
            self.problem = problem
            self.start = start
            self.end = end
        }
    }

    /// The answer has wrong or unsupported content: the judge said it is not supported, or named a claim.
    public var hallucinated: Bool
    public var claims: [Claim]
    /// The judge's confidence in its verdict, 0...1, when it gave one.
    public var confidence: Double?
    /// The answer brings up a profile interest unrelated to the question.
    public var offTopicProfile: Bool
    /// The profile tags it brings up off-topic (only tags of the asker's profile are kept).
    public var offTopicTags: [String]
    public var reason: String?
    public var call: LLMCallRecord

    enum CodingKeys: String, CodingKey {
        case hallucinated, claims, confidence, reason, call
        case offTopicProfile = "off_topic_profile"
        case offTopicTags = "off_topic_tags"
    }

    public init(
        hallucinated: Bool, claims: [Claim], confidence: Double?, offTopicProfile: Bool, offTopicTags: [String], reason: String?, call: LLMCallRecord
    ) {
        self.hallucinated = hallucinated
        self.claims = claims
        self.confidence = confidence
        self.offTopicProfile = offTopicProfile
        self.offTopicTags = offTopicTags
        self.reason = reason
        self.call = call
    }
}
