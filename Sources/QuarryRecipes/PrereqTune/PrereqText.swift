/// Tidying of generated text before it is stored: what a consumer of the data set would otherwise
/// have to do on every row.
public enum PrereqText {
    /// `text` trimmed, with whitespace runs collapsed to one space.
    public static func clean(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// A sentence: cleaned, first letter capitalised, closed by `.`, `!` or `?` (a model's list item
    /// sometimes lacks its full stop). Empty stays empty.
    public static func sentence(_ text: String) -> String {
        var result = clean(text)
        guard let first = result.first else { return "" }
        result = first.uppercased() + result.dropFirst()
        if let last = result.last, !".!?".contains(last) { result += "." }
        return result
    }

    /// The biography from its sentences: each tidied, empty and repeated ones dropped, joined by spaces.
    public static func biography(_ sentences: [String]) -> (text: String, count: Int) {
        var seen: Set<String> = []
        let kept = sentences.map(sentence).filter { !$0.isEmpty && seen.insert(PrereqNames.key($0)).inserted }
        return (kept.joined(separator: " "), kept.count)
    }

    /// Extracted statements split into those naming `entity` (kept, deduplicated in order) and the rest.
    public static func statements(_ raw: [String], entity: String) -> (named: [String], unnamed: [String]) {
        var named: [String] = []
        var unnamed: [String] = []
        var seen: Set<String> = []
        for statement in raw.map(sentence) where !statement.isEmpty {
            guard seen.insert(PrereqNames.key(statement)).inserted else { continue }
            if PrereqNames.names(statement, entity: entity) { named.append(statement) } else { unnamed.append(statement) }
        }
        return (named, unnamed)
    }

    /// The accepted answers: the object first, then distinct aliases (compared by name key).
    public static func possibleAnswers(object: String, aliases: [String]) -> [String] {
        var result: [String] = []
        var seen: Set<String> = []
        for answer in ([object] + aliases).map(clean) where !answer.isEmpty && seen.insert(PrereqNames.key(answer)).inserted {
            result.append(answer)
        }
        return result
    }
}
