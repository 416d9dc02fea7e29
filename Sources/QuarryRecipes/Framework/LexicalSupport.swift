/// A deterministic check of an answer against a passage: which of the answer's content words and
/// numbers occur in the passage. It backs up the LLM judge: a judge can be lenient or wrong, but an
/// invented name or figure is simply absent from the passage.
///
/// Words are runs of letters and digits, lowercased; stopwords and one-letter words are not content;
/// a trailing plural `s` is ignored on both sides.
public struct LexicalSupport: Sendable, Equatable, Codable {
    /// Fraction of the answer's content words found in the passage (0 when it has none).
    public var support: Double
    /// Content words of the answer absent from the passage, in order of appearance.
    public var unsupportedWords: [String]
    /// Numbers of the answer absent from the passage.
    public var unsupportedNumbers: [String]

    enum CodingKeys: String, CodingKey {
        case support
        case unsupportedWords = "unsupported_words"
        case unsupportedNumbers = "unsupported_numbers"
    }

    public init(support: Double, unsupportedWords: [String], unsupportedNumbers: [String]) {
        self.support = support
        self.unsupportedWords = unsupportedWords
        self.unsupportedNumbers = unsupportedNumbers
    }

    /// Checks `answer` against `passage`.
    public init(answer: String, passage: String) {
        var known: Set<String> = []
        for word in Self.words(passage) {
            known.insert(word)
            known.insert(Self.singular(word))
        }
        var content = 0
        var found = 0
        var missing: [String] = []
        var numbers: [String] = []
        for word in Self.words(answer) where !Self.stopwords.contains(word) && (word.count > 1 || word.first?.isNumber == true) {
            content += 1
            if known.contains(word) || known.contains(Self.singular(word)) {
                found += 1
                continue
            }
            if !missing.contains(word) { missing.append(word) }
            if word.contains(where: \.isNumber), !numbers.contains(word) { numbers.append(word) }
        }
        // Rounded so outputs (and exports) do not carry 17-digit fractions.
        let support = content == 0 ? 0 : (Double(found) / Double(content) * 10_000).rounded() / 10_000
        self.init(support: support, unsupportedWords: missing, unsupportedNumbers: numbers)
    }

    /// Lowercased runs of letters and digits.
    static func words(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    static func singular(_ word: String) -> String {
        word.count > 3 && word.hasSuffix("s") && !word.hasSuffix("ss") ? String(word.dropLast()) : word
    }

    static let stopwords: Set<String> = [
        "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "before", "being", "between",
        "both", "but", "by", "can", "could", "did", "do", "does", "during", "each", "either", "for", "from", "had", "has",
        "have", "he", "her", "his", "how", "i", "if", "in", "into", "is", "it", "its", "may", "might", "more", "most", "much",
        "must", "no", "nor", "not", "of", "on", "one", "only", "or", "other", "our", "out", "over", "own", "same", "she",
        "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
        "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where",
        "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
    ]
}
