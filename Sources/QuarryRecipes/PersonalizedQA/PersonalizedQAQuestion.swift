import Foundation

/// A question as prompts, the judge and the training files use it: HTML stripped to text, at most five
/// profile tags, and no text that could pose as one of the prompts' delimiters.
public struct PersonalizedQAQuestion: Sendable, Equatable {
    /// The asker's profile holds at most this many tags (the method's top-5 user tags).
    public static let maximumTags = 5

    public var id: String
    public var community: String
    public var title: String
    public var body: String
    public var tags: [String]
    public var reference: String?

    public init(_ record: PersonalizedQARecord) {
        id = record.id
        community = Self.clean(record.community)
        title = Self.clean(HTMLText.plain(record.title))
        body = Self.clean(HTMLText.plain(record.body))
        var seen: Set<String> = []
        tags = record.tags.map { Self.clean($0).trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
            .prefix(Self.maximumTags).map { $0 }
        reference = record.bestAnswer.map { Self.clean(HTMLText.plain($0)) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// sentence-transformers' anchor: title, a space, body.
    public var anchor: String { body.isEmpty ? title : title + " " + body }

    /// The profile as prompts show it.
    public var profile: String { tags.joined(separator: ", ") }

    /// Tags our prompts use as delimiters beyond the five `PromptTemplate` strips from every value.
    static let extraDelimiters = ["profile"]

    /// `text` without `<profile>` and `</profile>` (ASCII case ignored): the judge's prompt reads the
    /// asker's tags from that block, so a question must not open or close it.
    static func clean(_ text: String) -> String {
        guard text.contains("<") else { return text }
        var result = text
        for tag in extraDelimiters {
            for form in ["<\(tag)>", "</\(tag)>"] {
                while let range = result.range(of: form, options: .caseInsensitive) { result.replaceSubrange(range, with: "") }
            }
        }
        return result
    }
}
