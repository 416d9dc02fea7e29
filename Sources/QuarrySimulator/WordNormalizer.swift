/// Splits text into words and turns surface words into comparison keys: lowercased, with leading and
/// trailing punctuation removed ("Paris," and "paris" are the same word). Used by generation, the judge,
/// embeddings and the hallucination vocabulary filter, so "is this word in the prompt?" means the same
/// thing everywhere.
///
/// Words are separated by ASCII whitespace, exactly as `TokenCounter` counts them. Pure-ASCII words (the
/// overwhelming majority) are handled on UTF-8 bytes; others fall back to Unicode letter/number properties.
/// Prompts run to tens of thousands of words, and per-Character property lookups dominated profiles.
enum WordNormalizer {
    /// The whitespace-separated words of `text`, in order.
    static func words(_ text: String) -> [Substring] {
        text.utf8.split(whereSeparator: TokenCounter.isSpace).map { Substring($0) }
    }

    static func key(_ word: Substring) -> String {
        guard let range = trimmedASCIIRange(word) else {
            return slowTrim(word).lowercased()
        }
        guard !range.isEmpty else { return "" }
        var bytes = [UInt8]()
        bytes.reserveCapacity(word.utf8.distance(from: range.lowerBound, to: range.upperBound))
        for byte in word.utf8[range] {
            bytes.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func key(_ word: String) -> String {
        key(Substring(word))
    }

    /// `word` without leading and trailing punctuation, case kept ("(Rhine)," → "Rhine").
    static func trimmed(_ word: Substring) -> Substring {
        guard let range = trimmedASCIIRange(word) else { return slowTrim(word) }
        return Substring(word.utf8[range])
    }

    /// Non-empty keys of every word in `text`.
    static func keys(in text: String) -> [String] {
        words(text).map { key($0) }.filter { !$0.isEmpty }
    }

    /// A simple plural-insensitive variant ("claims" → "claim"), so lexical support tolerates inflection.
    static func stem(_ key: String) -> String {
        if key.utf8.count > 3 && key.hasSuffix("s") && !key.hasSuffix("ss") { return String(key.dropLast()) }
        return key
    }

    @inline(__always)
    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// The range between the first and last ASCII letter/digit (empty when there is none), or nil when the
    /// word has non-ASCII bytes and needs the Unicode path.
    private static func trimmedASCIIRange(_ word: Substring) -> Range<Substring.UTF8View.Index>? {
        let utf8 = word.utf8
        var first: Substring.UTF8View.Index?
        var last: Substring.UTF8View.Index?
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte >= 0x80 { return nil }
            if isASCIIAlphanumeric(byte) {
                if first == nil { first = index }
                last = index
            }
            index = utf8.index(after: index)
        }
        guard let first, let last else { return utf8.startIndex..<utf8.startIndex }
        return first..<utf8.index(after: last)
    }

    private static func slowTrim(_ word: Substring) -> Substring {
        guard let first = word.firstIndex(where: { $0.isLetter || $0.isNumber }),
            let last = word.lastIndex(where: { $0.isLetter || $0.isNumber })
        else { return word[word.startIndex..<word.startIndex] }
        return word[first...last]
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
