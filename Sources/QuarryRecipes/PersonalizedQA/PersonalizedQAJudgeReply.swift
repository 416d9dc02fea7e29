import Foundation
import QuarryLLM

/// What the judge model replies (`judge` prompt, `format`), and how it becomes a `PersonalizedQAJudgement`.
public struct PersonalizedQAJudgeReply: Sendable, Equatable, Decodable {
    public var supported: Bool
    public var unsupportedClaims: [String]
    public var wrongClaims: [String]
    public var confidence: Double?
    public var offTopicProfile: Bool
    public var offTopicTags: [String]
    public var reason: String?

    enum CodingKeys: String, CodingKey {
        case supported, confidence, reason
        case unsupportedClaims = "unsupported_claims"
        case wrongClaims = "wrong_claims"
        case offTopicProfile = "off_topic_profile"
        case offTopicTags = "off_topic_tags"
    }

    public init(
        supported: Bool, unsupportedClaims: [String] = [], wrongClaims: [String] = [], confidence: Double? = nil, offTopicProfile: Bool = false,
        offTopicTags: [String] = [], reason: String? = nil
    ) {
        self.supported = supported
        self.unsupportedClaims = unsupportedClaims
        self.wrongClaims = wrongClaims
        self.confidence = confidence
        self.offTopicProfile = offTopicProfile
        self.offTopicTags = offTopicTags
        self.reason = reason
    }

    /// Lenient about what a model may leave out (only `supported` is required); strict about types.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        supported = try container.decode(Bool.self, forKey: .supported)
        unsupportedClaims = try container.decodeIfPresent([String].self, forKey: .unsupportedClaims) ?? []
        wrongClaims = try container.decodeIfPresent([String].self, forKey: .wrongClaims) ?? []
        confidence = try container.decodeIfPresent(Double.self, forKey: .confidence)
        offTopicProfile = try container.decodeIfPresent(Bool.self, forKey: .offTopicProfile) ?? false
        offTopicTags = try container.decodeIfPresent([String].self, forKey: .offTopicTags) ?? []
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
    }

    static let format = ResponseFormat.jsonSchema(
        name: "answer_judgement",
        schema: [
            "type": "object",
            "properties": [
                "supported": ["type": "boolean"],
                "unsupported_claims": ["type": "array", "items": ["type": "string"]],
                "wrong_claims": ["type": "array", "items": ["type": "string"]],
                "confidence": ["type": "number", "minimum": 0, "maximum": 1],
                "off_topic_profile": ["type": "boolean"],
                "off_topic_tags": ["type": "array", "items": ["type": "string"]],
                "reason": ["type": "string"],
            ],
            "required": ["supported", "unsupported_claims", "wrong_claims", "confidence", "off_topic_profile", "off_topic_tags", "reason"],
            "additionalProperties": false,
        ],
        strict: true)

    /// The judgement of `answer`: hallucinated when the judge says unsupported or names any claim (a
    /// judge that lists a wrong claim yet says "supported" contradicts itself, and the claim is the
    /// specific evidence). Claims are located in the answer; off-topic tags not in `profile` are dropped.
    public func judgement(answer: String, profile: [String], call: LLMCallRecord) -> PersonalizedQAJudgement {
        var claims: [PersonalizedQAJudgement.Claim] = []
        var seen: Set<String> = []
        for (texts, problem) in [(unsupportedClaims, PersonalizedQAJudgement.Claim.Problem.unsupported), (wrongClaims, .wrong)] {
            for raw in texts {
                let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !text.isEmpty, seen.insert(problem.rawValue + "\u{1}" + text.lowercased()).inserted else { continue }
                let span = Self.locate(text, in: answer)
                claims.append(.init(text: text, problem: problem, start: span?.lowerBound, end: span?.upperBound))
            }
        }
        let known = Dictionary(profile.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        var tags: [String] = []
        for raw in offTopicTags {
            if let tag = known[raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()], !tags.contains(tag) { tags.append(tag) }
        }
        let hallucinated = !supported || !claims.isEmpty
        return PersonalizedQAJudgement(
            hallucinated: hallucinated, claims: claims, confidence: confidence.map { min(1, max(0, $0)) },
            offTopicProfile: !profile.isEmpty && (offTopicProfile || !tags.isEmpty), offTopicTags: tags, reason: reason, call: call)
    }

    /// The first occurrence of `claim` in `answer` (ASCII case ignored), in Unicode scalar offsets.
    static func locate(_ claim: String, in answer: String) -> Range<Int>? {
        guard let range = answer.range(of: claim, options: .caseInsensitive) else { return nil }
        let start = answer.unicodeScalars.distance(from: answer.unicodeScalars.startIndex, to: range.lowerBound)
        return start..<(start + answer.unicodeScalars.distance(from: range.lowerBound, to: range.upperBound))
    }
}
