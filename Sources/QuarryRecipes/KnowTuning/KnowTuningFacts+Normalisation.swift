extension KnowTuningFacts {
    /// `raw` as facts: each statement trimmed, stripped of a list marker models often add (`- `, `* `,
    /// `• `, `3. `, `3) `), its inner whitespace runs collapsed to one space; empty ones dropped, later
    /// duplicates dropped (compared ignoring case and a final period), at most `limit` kept, in the
    /// model's order. Returns the facts and how many statements went.
    public static func normalised(_ raw: [String], limit: Int) -> (facts: [String], discarded: Int) {
        var facts: [String] = []
        var seen: Set<String> = []
        for statement in raw {
            let fact = withoutListMarker(collapsed(statement))
            guard !fact.isEmpty, facts.count < limit else { continue }
            guard seen.insert(comparisonKey(fact)).inserted else { continue }
            facts.append(fact)
        }
        return (facts, raw.count - facts.count)
    }

    /// Whether `answer` has anything to extract: at least one letter or digit.
    public static func hasContent(_ answer: String) -> Bool {
        answer.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
    }

    /// The form facts are compared in by dedup and by the verification checks.
    public static func comparisonKey(_ fact: String) -> String {
        var key = collapsed(fact).lowercased()
        while key.hasSuffix(".") { key.removeLast() }
        return key
    }

    /// `text` without a leading bullet or number followed by a space ("2. Paris is …" → "Paris is …").
    /// A number that is part of the statement ("2.5 million people …", "1990 was …") stays.
    static func withoutListMarker(_ text: String) -> String {
        if let first = text.first, "-*•".contains(first), text.dropFirst().first == " " {
            return String(text.dropFirst(2))
        }
        let digits = text.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, digits.count <= 3 else { return text }
        let rest = text.dropFirst(digits.count)
        guard let marker = rest.first, marker == "." || marker == ")", rest.dropFirst().first == " " else { return text }
        return String(rest.dropFirst(2))
    }

    static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
