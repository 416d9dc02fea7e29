/// The simulator's token arithmetic. There is no real tokenizer: a "word" is a maximal run of non-whitespace
/// (ASCII space, tab, CR, LF, VT, FF), and a text of `w` words counts as `round(w × 1.3)` tokens (at least 1
/// for a non-empty text), roughly what BPE tokenizers give for English. Usage, `max_tokens`, context-window checks and the rpm/tpm limiter all use
/// this one rule, so callers can predict every number the simulator reports.
///
/// Per-token logprobs (chat `logprobs`, completions `logprobs`/`echo`) are reported per *word*: each entry's
/// token is a word with its leading whitespace, so concatenating the tokens gives back the exact text.
enum TokenCounter {
    static let tokensPerWord = 1.3

    static func tokens(forWordCount words: Int) -> Int {
        words <= 0 ? 0 : max(1, Int((Double(words) * tokensPerWord).rounded()))
    }

    /// The largest word count whose token count fits in `tokens`.
    static func maxWords(forTokens tokens: Int) -> Int {
        guard tokens > 0 else { return 0 }
        var words = Int(Double(tokens) / tokensPerWord)
        while self.tokens(forWordCount: words + 1) <= tokens { words += 1 }
        while words > 0 && self.tokens(forWordCount: words) > tokens { words -= 1 }
        return words
    }

    static func tokens(in text: String) -> Int {
        tokens(forWordCount: wordCount(text))
    }

    /// Counts words over UTF-8 bytes without building substrings: prompts can be tens of thousands of words.
    static func wordCount(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for byte in text.utf8 {
            if isSpace(byte) {
                inWord = false
            } else if !inWord {
                inWord = true
                count += 1
            }
        }
        return count
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    /// Splits `text` into word tokens that each carry their leading whitespace (as OpenAI tokens carry a
    /// leading space), with offsets in Unicode scalars, which is what Python's `str` indexes count. Trailing
    /// whitespace is attached to the last token, so the pieces always concatenate back to `text`.
    static func pieces(of text: String) -> [(text: String, offset: Int)] {
        var result: [(text: String, offset: Int)] = []
        var current = String.UnicodeScalarView()
        var currentStart = 0
        var sawWordInCurrent = false
        var index = 0
        for scalar in text.unicodeScalars {
            let space = scalar.value < 0x80 && isSpace(UInt8(scalar.value))
            if space && sawWordInCurrent {
                result.append((String(current), currentStart))
                current = String.UnicodeScalarView()
                currentStart = index
                sawWordInCurrent = false
            }
            if !space { sawWordInCurrent = true }
            current.append(scalar)
            index += 1
        }
        if !current.isEmpty {
            if !sawWordInCurrent, let last = result.popLast() {
                result.append((last.text + String(current), last.offset))
            } else {
                result.append((String(current), currentStart))
            }
        }
        return result
    }
}
