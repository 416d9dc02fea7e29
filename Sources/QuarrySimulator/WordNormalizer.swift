/// Turns surface words into comparison keys: lowercased, with leading/trailing punctuation removed
/// ("Paris," and "paris" are the same word). Used by the judge, embeddings and the hallucination vocabulary
/// filter, so "is this word in the prompt?" means the same thing everywhere.
enum WordNormalizer {
    static func key(_ word: Substring) -> String {
        let trimmed = word.drop(while: { !$0.isLetter && !$0.isNumber }).reversed().drop(while: { !$0.isLetter && !$0.isNumber })
        return String(trimmed.reversed()).lowercased()
    }

    static func key(_ word: String) -> String {
        key(Substring(word))
    }

    /// Non-empty keys of every whitespace-separated word in `text`.
    static func keys(in text: String) -> [String] {
        text.split(whereSeparator: { $0.isWhitespace }).map { key($0) }.filter { !$0.isEmpty }
    }

    /// A simple plural-insensitive variant ("claims" → "claim"), so lexical support tolerates inflection.
    static func stem(_ key: String) -> String {
        if key.count > 3 && key.hasSuffix("s") && !key.hasSuffix("ss") { return String(key.dropLast()) }
        return key
    }

    /// Function words a grounded answer may use without the context containing them.
    static let stopwords: Set<String> = [
        "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as",
        "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "there",
        "their", "they", "them", "he", "she", "his", "her", "we", "our", "you", "your", "i", "not", "no", "so",
        "than", "then", "which", "who", "whom", "what", "when", "where", "why", "how", "has", "have", "had", "do",
        "does", "did", "can", "could", "will", "would", "should", "may", "might", "also", "into", "about", "if",
    ]
}
