import Foundation

/// A fact's perplexity from the token log-probs of an echoed `/completions` prompt.
///
/// The scored text is either the fact alone or `scoringPrefix(question:)` followed by the fact; only
/// tokens that cover a character of the fact count (a token spanning the boundary, e.g. `" The"`
/// after `"Answer:"`, counts), so the question conditions the fact without being scored itself.
public struct KnowTuningPerplexity: Sendable, Equatable {
    public var perplexity: Double
    public var meanLogprob: Double
    public var tokenCount: Int

    public init(perplexity: Double, meanLogprob: Double, tokenCount: Int) {
        self.perplexity = perplexity
        self.meanLogprob = meanLogprob
        self.tokenCount = tokenCount
    }

    /// The prefix a conditioned fact is scored after; the fact follows after one space.
    public static func scoringPrefix(question: String) -> String {
        "Question: \(question.trimmingCharacters(in: .whitespacesAndNewlines))\nAnswer:"
    }

    /// The text sent for scoring and where the fact starts in it (in Unicode scalars, as `text_offset` counts).
    public static func scoringText(fact: String, question: String?) -> (text: String, factStart: Int) {
        guard let question else { return (fact, 0) }
        let prefix = scoringPrefix(question: question)
        return (prefix + " " + fact, prefix.unicodeScalars.count)
    }

    /// The perplexity over the tokens that end after `factStart`, skipping tokens without a log-prob
    /// (the first echoed token has none). `offsets` are the endpoint's `text_offset`s; without them (or
    /// when their count differs) a token's offset is the length of the tokens before it, which holds
    /// because echoed tokens concatenate back to the prompt. Nil when no fact token has a log-prob.
    public static func score(tokens: [String], logprobs: [Double?], offsets: [Int]?, factStart: Int) -> KnowTuningPerplexity? {
        var starts: [Int]
        if let offsets, offsets.count == tokens.count {
            starts = offsets
        } else {
            starts = []
            starts.reserveCapacity(tokens.count)
            var position = 0
            for token in tokens {
                starts.append(position)
                position += token.unicodeScalars.count
            }
        }
        var sum = 0.0
        var count = 0
        for (index, token) in tokens.enumerated() where index < logprobs.count {
            guard let logprob = logprobs[index], logprob.isFinite, starts[index] + token.unicodeScalars.count > factStart else { continue }
            sum += logprob
            count += 1
        }
        guard count > 0 else { return nil }
        let mean = sum / Double(count)
        return KnowTuningPerplexity(perplexity: exp(-mean), meanLogprob: mean, tokenCount: count)
    }
}
