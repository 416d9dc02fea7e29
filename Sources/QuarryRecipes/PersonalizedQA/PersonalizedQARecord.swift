import Foundation

/// One input question as `personalized_qa` reads it (the spec's field mapping applied at submit).
///
/// `tags` are the asker's tags (their profile): a JSON list of strings, or one string in StackExchange's
/// data-dump form (`<tag-a><tag-b>`), or separated by commas or spaces.
public struct PersonalizedQARecord: Sendable, Equatable, Codable {
    public var id: String
    public var community: String
    public var title: String
    /// HTML or text.
    public var body: String
    public var tags: [String]
    /// The accepted human answer, when the question has one (the judge's reference).
    public var bestAnswer: String?

    enum CodingKeys: String, CodingKey {
        case id, community, title, body, tags
        case bestAnswer = "best_answer"
    }

    public init(id: String, community: String, title: String, body: String, tags: [String], bestAnswer: String? = nil) {
        self.id = id
        self.community = community
        self.title = title
        self.body = body
        self.tags = tags
        self.bestAnswer = bestAnswer
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        community = try container.decode(String.self, forKey: .community)
        title = try container.decode(String.self, forKey: .title)
        body = try container.decodeIfPresent(String.self, forKey: .body) ?? ""
        if let list = try? container.decodeIfPresent([String].self, forKey: .tags) {
            tags = list
        } else {
            tags = Self.tags(in: try container.decodeIfPresent(String.self, forKey: .tags) ?? "")
        }
        bestAnswer = try container.decodeIfPresent(String.self, forKey: .bestAnswer)
    }

    /// Tags from one string: `<a><b>` (StackExchange's dump), else separated by commas, else by spaces.
    public static func tags(in text: String) -> [String] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("<") && trimmed.hasSuffix(">") {
            return trimmed.dropFirst().dropLast().components(separatedBy: "><").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let separator: Character = trimmed.contains(",") ? "," : " "
        return trimmed.split(separator: separator).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
