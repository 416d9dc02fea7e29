import Foundation

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

    /// Words that are instructions to the simulator, not content.
    private static let markerKeys: Set<String> = ["quarry-judge"]

    init(sourceText: String, promptText: String) {
        var words: [String] = []
        for raw in sourceText.split(whereSeparator: { $0.isWhitespace }) {
            let trimmed = raw.drop(while: { !$0.isLetter && !$0.isNumber })
            let end = trimmed.lastIndex(where: { $0.isLetter || $0.isNumber })
            guard let end else { continue }
            let word = String(trimmed[...end])
            if Self.markerKeys.contains(word.lowercased()) { continue }
            words.append(word)
        }
        // An empty prompt still gets an answer, made of words that claim nothing.
        self.words = words.isEmpty ? ["no", "content", "was", "provided"] : words
        self.promptKeys = Set(WordNormalizer.keys(in: promptText))
    }

    /// The concatenated bodies of every `<tag>...</tag>` block (tag matched case-insensitively), or nil when
    /// there is none. An unclosed tag runs to the end of the text.
    static func taggedText(_ tag: String, in text: String) -> String? {
        let open = "<\(tag)>"
        let close = "</\(tag)>"
        var parts: [String] = []
        var searchStart = text.startIndex
        while let openRange = text.range(of: open, options: .caseInsensitive, range: searchStart..<text.endIndex) {
            let closeRange = text.range(of: close, options: .caseInsensitive, range: openRange.upperBound..<text.endIndex)
            parts.append(String(text[openRange.upperBound..<(closeRange?.lowerBound ?? text.endIndex)]))
            guard let closeRange else { break }
            searchStart = closeRange.upperBound
        }
        return parts.isEmpty ? nil : parts.joined(separator: "\n")
    }
}
