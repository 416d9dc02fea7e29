/// Builds deterministic "answers" out of a prompt's own words.
///
/// Sentences are short extractive spans copied from the grounding source (so a clean answer is lexically
/// supported by its context), driven by a PRNG seeded from the request hash.
struct TextGenerator: Sendable {
    let source: GroundingSource
    var rng: SplitMix64

    init(source: GroundingSource, seed: UInt64) {
        self.source = source
        self.rng = SplitMix64(seed: seed)
    }

    /// One sentence of `minWords...maxWords` words: one or two contiguous spans of the source.
    mutating func sentence(minWords: Int = 4, maxWords: Int = 12) -> [GeneratedWord] {
        let words = source.words
        let target = rng.nextInt(in: minWords...max(minWords, maxWords))
        var picked: [String] = []
        while picked.count < target {
            let start = rng.nextIndex(words.count)
            let spanLength = min(target - picked.count, words.count - start)
            picked.append(contentsOf: words[start..<(start + spanLength)])
        }
        return picked.enumerated().map { index, word in
            GeneratedWord(text: word, startsSentence: index == 0, endsSentence: index == picked.count - 1)
        }
    }

    /// Whole sentences until at least `wordCount` words.
    mutating func words(atLeast wordCount: Int) -> [GeneratedWord] {
        var result: [GeneratedWord] = []
        while result.count < wordCount {
            result.append(contentsOf: sentence())
        }
        return result
    }

    /// A short phrase (no sentence punctuation), for names, titles and other small string fields.
    mutating func phrase(minWords: Int, maxWords: Int) -> [GeneratedWord] {
        sentence(minWords: minWords, maxWords: maxWords).map {
            GeneratedWord(text: $0.text, startsSentence: false, endsSentence: false)
        }
    }

    /// Replaces one to three words with invented proper nouns and numbers that the prompt does not contain.
    /// Replacement (not insertion) keeps the length, so a `max_tokens` cut made earlier still holds.
    /// Returns false when `words` is empty.
    @discardableResult
    mutating func injectHallucination(into words: inout [GeneratedWord]) -> Bool {
        guard !words.isEmpty else { return false }
        let keys = source.promptKeys
        let nouns = FictitiousVocabulary.properNouns.filter { !keys.contains(WordNormalizer.key($0)) }
        let numbers = FictitiousVocabulary.numbers.filter { !keys.contains(WordNormalizer.key($0)) }
        guard !nouns.isEmpty, !numbers.isEmpty else { return false }
        let count = words.count >= 8 ? 3 : (words.count >= 3 ? 2 : 1)
        var positions: [Int] = []
        while positions.count < count {
            let position = rng.nextIndex(words.count)
            if !positions.contains(position) { positions.append(position) }
        }
        for (order, position) in positions.enumerated() {
            // Alternate noun, number, noun: "Zorvath ... 1847 ... Quillmere" reads as a fabricated fact.
            let replacement = order == 1 ? numbers[rng.nextIndex(numbers.count)] : nouns[rng.nextIndex(nouns.count)]
            words[position].text = replacement
            words[position].invented = true
        }
        return true
    }
}
