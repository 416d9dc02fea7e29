/// A line of `answers.jsonl`: every answer of the build with its judgement, whether or not it went into
/// the training files, for analysis beyond the report.
public struct PersonalizedQAAnswerRow: Sendable, Equatable, Codable {
    public var questionID: String
    public var recordLine: Int
    public var community: String
    public var variant: PersonalizedQAVariant
    public var generator: String
    public var endpoint: String
    public var model: String?
    public var status: PersonalizedQAOutcome.Status
    public var answer: String?
    public var hallucinated: Bool?
    public var claims: [PersonalizedQAJudgement.Claim]
    public var confidence: Double?
    public var offTopicProfile: Bool?
    public var offTopicTags: [String]
    public var reason: String?
    public var judgeModel: String?
    /// Whether it is the positive of a line of its arm's `pairs.jsonl`.
    public var inTraining: Bool
    public var promptVersions: [String: String]

    enum CodingKeys: String, CodingKey {
        case community, variant, generator, endpoint, model, status, answer, hallucinated, claims, confidence, reason
        case questionID = "question_id"
        case recordLine = "record_line"
        case offTopicProfile = "off_topic_profile"
        case offTopicTags = "off_topic_tags"
        case judgeModel = "judge_model"
        case inTraining = "in_training"
        case promptVersions = "prompt_versions"
    }
}
