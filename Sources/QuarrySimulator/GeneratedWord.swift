/// One word of generated text, with the layout facts needed to render it and score it.
struct GeneratedWord: Sendable, Equatable {
    var text: String
    /// First word of a sentence: rendered capitalised.
    var startsSentence: Bool
    /// Last word of a sentence: rendered with a full stop.
    var endsSentence: Bool
    /// An injected hallucination (from `FictitiousVocabulary`).
    var invented: Bool = false

    var rendered: String {
        var word = text
        if startsSentence, let first = word.first {
            word = first.uppercased() + word.dropFirst()
        }
        return endsSentence ? word + "." : word
    }

    /// Renders words separated by single spaces; the logprob pieces of the result are exactly the words.
    static func render(_ words: [GeneratedWord]) -> String {
        words.map(\.rendered).joined(separator: " ")
    }
}
