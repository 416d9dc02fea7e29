import Foundation
import Testing

@testable import QuarrySimulator

@Suite("Internals")
struct InternalsTests {
    @Test("token pieces keep their whitespace and rebuild the text")
    func pieces() {
        for text in ["", "one", "  lead", "a  b\nc ", "tail   ", "naïve café ☕ ok"] {
            let pieces = TokenCounter.pieces(of: text)
            #expect(pieces.map(\.text).joined() == text)
            var offset = 0
            for piece in pieces {
                #expect(piece.offset == offset)
                offset += piece.text.unicodeScalars.count
            }
        }
        #expect(TokenCounter.pieces(of: "a  b\nc").map(\.text) == ["a", "  b", "\nc"])
    }

    @Test("token counting is round(words x 1.3), and maxWords inverts it")
    func tokenCounting() {
        #expect(TokenCounter.tokens(in: "") == 0)
        #expect(TokenCounter.tokens(in: "one") == 1)
        #expect(TokenCounter.tokens(in: "one two three") == 4)
        #expect(TokenCounter.tokens(in: Array(repeating: "w", count: 10).joined(separator: "\n")) == 13)
        for budget in 0...60 {
            let words = TokenCounter.maxWords(forTokens: budget)
            #expect(TokenCounter.tokens(forWordCount: words) <= budget)
            #expect(TokenCounter.tokens(forWordCount: words + 1) > budget)
        }
    }

    @Test("fault draws follow cumulative rates; durations format like OpenAI's headers")
    func faultsAndDurations() {
        let rates = FaultRates(rateLimited: 0.25, hang: 0.25)
        #expect(rates.fault(forDraw: 0.1) == .rateLimited)
        #expect(rates.fault(forDraw: 0.3) == .hang)
        #expect(rates.fault(forDraw: 0.6) == nil)
        #expect(FaultRates(serverError: 1).fault(forDraw: 0.999) == .serverError)
        #expect(RateLimiter.formatDuration(0.02) == "20ms")
        #expect(RateLimiter.formatDuration(1) == "1s")
        #expect(RateLimiter.formatDuration(1.25) == "1.3s")
        #expect(RateLimiter.formatDuration(360) == "6m0s")
    }

    @Test("log-normal latency has roughly the requested median and p99")
    func logNormal() {
        var rng = SplitMix64(seed: 1)
        let samples = (0..<20_000).map { _ in LatencyModel.logNormal(p50Ms: 100, p99Ms: 1000).sampleMilliseconds(using: &rng) }.sorted()
        #expect(abs(samples[10_000] - 100) < 10)
        #expect(abs(samples[19_800] - 1000) < 150)
    }

    @Test("the judge reads tags or labels, ignores stopwords and plurals")
    func judge() {
        let parts = GroundingJudge.extract(from: "QUARRY-JUDGE\nContext: cats chase mice\nAnswer: the cat chases mice")
        #expect(parts.context == "cats chase mice")
        #expect(parts.answer == "the cat chases mice")
        #expect(GroundingJudge.judge(context: "cats chase mice", answer: "The cats chase mice.").supported)
        #expect(GroundingJudge.judge(context: "cats chase mice", answer: "A cat chases mice").supported)
        let verdict = GroundingJudge.judge(context: "cats chase mice", answer: "Dogs chase mice")
        #expect(!verdict.supported)
        #expect(verdict.unsupportedWords == ["dogs"])
    }
}
