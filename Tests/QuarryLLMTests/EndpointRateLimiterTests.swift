import Testing

@testable import QuarryLLM

/// The configured-rate limiter's reaction to refusals: isolated 429s under the tolerated share leave the
/// rate alone, sustained ones cut it once per reaction.
@Suite("Endpoint rate limiter: isolated 429s vs throttling")
struct EndpointRateLimiterTests {
    static let tuning = EndpointRateLimiter.Tuning(decreaseFactor: 0.75, increasePerSecond: 0.1)

    func factor(_ limiter: EndpointRateLimiter) -> Double { limiter.snapshot.factor }

    @Test("2 % of responses refused, spread out: no cut")
    func isolatedRefusals() {
        let limiter = EndpointRateLimiter(rpm: 12_000, tpm: nil, tuning: Self.tuning)
        var throttling = 0
        for index in 1...2_000 {
            if index % 50 == 0 {
                if limiter.refused(sentAt: .now) { throttling += 1 }
            } else {
                limiter.answered()
            }
        }
        #expect(throttling == 0)
        #expect(factor(limiter) == 1)
    }

    @Test("20 % refused: throttling, cut by the decrease factor; the count starts over after each cut")
    func sustainedRefusals() {
        let limiter = EndpointRateLimiter(rpm: 12_000, tpm: nil, tuning: Self.tuning)
        for _ in 0..<200 { limiter.answered() }
        var cuts = 0
        var lastFactor = factor(limiter)
        for index in 1...100 {
            if index % 5 == 0 {
                _ = limiter.refused(sentAt: .now)
            } else {
                limiter.answered()
            }
            if factor(limiter) < lastFactor {
                cuts += 1
                lastFactor = factor(limiter)
            }
        }
        // 5 % of the 270 responses counted by the 70th is 13.5: the 14th refusal cuts; the 6 after it are too few for another.
        #expect(cuts == 1)
        #expect(abs(factor(limiter) - 0.75) < 0.01, "\(factor(limiter))")
    }

    @Test("two refusals in a row at the start are throttling; a 429 for a request sent before the cut does not cut again")
    func refusalsInARow() {
        let limiter = EndpointRateLimiter(rpm: 600, tpm: nil, tuning: Self.tuning)
        let sentBefore = ContinuousClock.now
        #expect(limiter.refused(sentAt: sentBefore) == false)
        #expect(factor(limiter) == 1)
        #expect(limiter.refused(sentAt: sentBefore) == true)
        let cut = factor(limiter)
        #expect(abs(cut - 0.75) < 0.01, "\(cut)")
        // In flight when the cut was made: part of the same throttling, no second cut.
        #expect(limiter.refused(sentAt: sentBefore) == true)
        // (The factor only creeps up meanwhile, by the additive increase.)
        #expect(factor(limiter) >= cut && factor(limiter) < 0.76)
        // Sent after it: fresh evidence is needed, one refusal is not enough.
        #expect(limiter.refused(sentAt: .now) == false)
        #expect(factor(limiter) >= cut)
    }

    @Test("slowDown false reports throttling without cutting the configured rate (bare 429s are CongestionControl's)")
    func reportOnly() {
        let limiter = EndpointRateLimiter(rpm: 600, tpm: nil, tuning: Self.tuning)
        #expect(limiter.refused(sentAt: .now, slowDown: false) == false)
        #expect(limiter.refused(sentAt: .now, slowDown: false) == true)
        #expect(factor(limiter) == 1)
    }
}
