/// What a generator is told about the question (the Sy-SE-PQA prompt variants).
public enum PersonalizedQAVariant: String, CaseIterable, Sendable, Codable, Comparable {
    /// Title and body.
    case basic
    /// Title and body, and the asker's tags ("the asker is interested in: …").
    case personalized
    /// Title and the asker's tags, no body.
    case personalizedTitleOnly = "personalized_title_only"
    /// Title and body, and the community it was asked in.
    case contextual

    /// The prompt that renders this variant.
    public var promptName: String { "answer_\(rawValue)" }

    /// Whether the generator sees the asker's profile.
    public var usesProfile: Bool { self == .personalized || self == .personalizedTitleOnly }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}
