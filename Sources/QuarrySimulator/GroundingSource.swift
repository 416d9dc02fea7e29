/// The words a response may be built from, and the words of the whole prompt.
///
/// Generation draws from the text inside `<context>...</context>` tags when any message has them, otherwise
/// from the user messages, otherwise from every message. Drawing only from the context (not from instructions)
/// is what lets a later grounding check, given the same context, find every word of a clean answer.
struct GroundingSource: Sendable {
    /// Surface words in order of appearance, edge punctuation trimmed.
    let words: [String]
    /// Normalised keys of every word anywhere in the prompt.
    let promptKeys: Set<String>
    /// Index in `words` one past the last word of each sentence of the source (a word ending in `.`, `!`
    /// or `?` closes one; the last sentence ends with the source), so extraction can copy whole sentences.
    let sentenceEnds: [Int]

    /// Words that are instructions to the simulator, not content.
    private static let markerKeys: Set<String> = ["quarry-judge"]

    init(sourceText: String, promptText: String) {
        var words: [String] = []
        var ends: [Int] = []
        for raw in WordNormalizer.words(sourceText) {
            let word = WordNormalizer.trimmed(raw)
            if word.isEmpty || Self.markerKeys.contains(word.lowercased()) { continue }
            words.append(String(word))
            if let last = raw.utf8.last, last == UInt8(ascii: ".") || last == UInt8(ascii: "!") || last == UInt8(ascii: "?") {
                ends.append(words.count)
            }
        }
        if !words.isEmpty && ends.last != words.count { ends.append(words.count) }
        // An empty prompt still gets an answer, made of words that claim nothing.
        self.words = words.isEmpty ? ["no", "content", "was", "provided"] : words
        self.sentenceEnds = words.isEmpty ? [4] : ends
        self.promptKeys = Set(WordNormalizer.keys(in: promptText))
    }

    /// The source's sentences as ranges of `words`, in order.
    var sentenceRanges: [Range<Int>] {
        var start = 0
        return sentenceEnds.compactMap { end in
            defer { start = end }
            return end > start ? start..<end : nil
        }
    }

    /// The concatenated bodies of every `<tag>...</tag>` block (tag matched ignoring ASCII case), or nil when
    /// there is none. An unclosed tag runs to the end of the text. Scans UTF-8 bytes: Foundation's
    /// case-insensitive search showed up in profiles of long prompts.
    static func taggedText(_ tag: String, in text: String) -> String? {
        let utf8 = text.utf8
        let open = Array("<\(tag.lowercased())>".utf8)
        let close = Array("</\(tag.lowercased())>".utf8)
        var parts: [String] = []
        var searchStart = utf8.startIndex
        while let openRange = find(open, in: utf8, from: searchStart) {
            let closeRange = find(close, in: utf8, from: openRange.upperBound)
            let body = utf8[openRange.upperBound..<(closeRange?.lowerBound ?? utf8.endIndex)]
            parts.append(String(Substring(body)))
            guard let closeRange else { break }
            searchStart = closeRange.upperBound
        }
        return parts.isEmpty ? nil : parts.joined(separator: "\n")
    }

    /// Whether `text` contains the ASCII `needle`, ignoring ASCII case.
    static func containsIgnoringASCIICase(_ needle: String, in text: String) -> Bool {
        find(Array(needle.lowercased().utf8), in: text.utf8, from: text.utf8.startIndex) != nil
    }

    /// First occurrence of the lowercase ASCII `needle` in `haystack`, ignoring ASCII case.
    private static func find(
        _ needle: [UInt8], in haystack: String.UTF8View, from start: String.UTF8View.Index
    ) -> Range<String.UTF8View.Index>? {
        guard let first = needle.first else { return nil }
        var index = start
        while index != haystack.endIndex {
            if lower(haystack[index]) == first {
                var probe = haystack.index(after: index)
                var matched = 1
                while matched < needle.count, probe != haystack.endIndex, lower(haystack[probe]) == needle[matched] {
                    matched += 1
                    probe = haystack.index(after: probe)
                }
                if matched == needle.count { return index..<probe }
            }
            index = haystack.index(after: index)
        }
        return nil
    }

    @inline(__always)
    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
