/// Deterministic per-token log-probabilities in [-8, -0.05]: function words are likely, long and rare words
/// less so, invented (hallucinated) words least, with a stable per-word jitter. Good enough for perplexity
/// filters and confidence heuristics to have a signal to work with.
enum LogprobModel {
    static let floor = -8.0
    static let ceiling = -0.05

    static func logprob(for token: String) -> Double {
        let key = WordNormalizer.key(token)
        guard !key.isEmpty else { return -0.6 }
        let jitter = Double(SplitMix64.mix(FNV1a.hash(key)) % 1000) / 1000.0
        var value: Double
        if WordNormalizer.stopwords.contains(key) {
            value = -0.05 - 0.55 * jitter
        } else {
            value = -0.25 - 0.35 * Double(max(0, key.count - 3)) - 1.4 * jitter
        }
        if FictitiousVocabulary.keys.contains(key) {
            value = min(value, -3.5 - 2.0 * jitter)
        }
        return min(ceiling, max(floor, value))
    }

    /// `count` plausible alternatives to `token`, each less likely than it and than the one before, drawn from
    /// `vocabulary` (the prompt's words) and never equal to `token` or to each other.
    static func alternatives(
        to token: String, logprob: Double, count: Int, vocabulary: [String], salt: UInt64
    ) -> [(token: String, logprob: Double)] {
        guard count > 0 else { return [] }
        let leading = String(token.prefix(while: { $0.isWhitespace }))
        var rng = SplitMix64(seed: SplitMix64.combine(FNV1a.hash(token), salt))
        var seen: Set<String> = [token]
        var result: [(token: String, logprob: Double)] = []
        var attempts = 0
        let fallback = ["the", "a", "of", "and", "to", "in", "is", "that", "for", "it", "as", "with"]
        while result.count < count && attempts < count * 8 {
            attempts += 1
            let pool = attempts <= count * 4 && !vocabulary.isEmpty ? vocabulary : fallback
            let candidate = leading + pool[rng.nextIndex(pool.count)]
            guard seen.insert(candidate).inserted else { continue }
            let previous = result.last?.logprob ?? logprob
            let value = max(floor, previous - 0.3 - 0.9 * rng.nextUnit())
            result.append((candidate, value))
        }
        var filler = 0
        while result.count < count {
            filler += 1
            let previous = result.last?.logprob ?? logprob
            result.append((leading + "<alt\(filler)>", max(floor, previous - 0.5)))
        }
        return result
    }
}
