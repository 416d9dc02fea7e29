/// The values each prompt of `personalized_qa` is rendered with.
public enum PersonalizedQAPrompts {
    public static let judge = "judge"

    /// What the answer prompts may use.
    public static let answerPlaceholders: Set<String> = ["title", "body", "tags", "community"]

    /// What the judge prompt may use.
    public static let judgePlaceholders: Set<String> = ["title", "body", "tags", "community", "reference", "answer"]

    /// Placeholders an override of each variant's prompt must keep: what makes the variant that variant.
    public static func required(for variant: PersonalizedQAVariant) -> Set<String> {
        switch variant {
        case .basic: ["title", "body"]
        case .personalized: ["title", "body", "tags"]
        case .personalizedTitleOnly: ["title", "tags"]
        case .contextual: ["title", "body", "community"]
        }
    }

    /// The values of an answer prompt.
    public static func answerValues(_ question: PersonalizedQAQuestion) -> [String: String] {
        [
            "title": question.title, "body": question.body.isEmpty ? "(no body)" : question.body,
            "tags": question.profile.isEmpty ? "(no tags)" : question.profile, "community": question.community,
        ]
    }

    /// The values of the judge prompt for `answer`.
    public static func judgeValues(_ question: PersonalizedQAQuestion, answer: String) -> [String: String] {
        var values = answerValues(question)
        values["reference"] = question.reference ?? "(none)"
        values["answer"] = answer
        return values
    }
}
