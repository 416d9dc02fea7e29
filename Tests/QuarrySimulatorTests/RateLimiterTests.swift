import Foundation
import QuarrySimulator
import Testing

@Suite("Provider-like rpm/tpm limiter")
struct RateLimiterTests {
    @Test("rpm: requests past the limit get 429 with x-ratelimit headers; headers are on every response")
    func requestsPerMinute() async throws {
        try await withSimulator({ $0.rpm = 3 }) { client in
            var remaining: [String?] = []
            for index in 0..<3 {
                let result = try await client.post("/v1/chat/completions", json: chatBody("q\(index)"), headers: ["Authorization": "Bearer key-a"])
                #expect(result.status == 200)
                #expect(result.header("x-ratelimit-limit-requests") == "3")
                #expect(result.header("x-ratelimit-reset-requests") != nil)
                remaining.append(result.header("x-ratelimit-remaining-requests"))
            }
            #expect(remaining == ["2", "1", "0"])
            let limited = try await client.post("/v1/chat/completions", json: chatBody("q4"), headers: ["Authorization": "Bearer key-a"])
            #expect(limited.status == 429)
            #expect(limited.header("x-ratelimit-limit-requests") == "3")
            #expect(limited.header("x-ratelimit-remaining-requests") == "0")
            let retryAfter = try #require(limited.header("retry-after").flatMap(Int.init))
            #expect(retryAfter >= 1 && retryAfter <= 20)
            #expect((limited.object?["error"] as? [String: Any])?["code"] as? String == "rate_limit_exceeded")
            // Limits are per API key.
            let otherKey = try await client.post("/v1/chat/completions", json: chatBody("q5"), headers: ["Authorization": "Bearer key-b"])
            #expect(otherKey.status == 200)
            // Even a 400 carries the headers.
            let bad = try await client.post("/v1/chat/completions", json: ["model": "sim-small"], headers: ["Authorization": "Bearer key-a"])
            #expect(bad.status == 400)
            #expect(bad.header("x-ratelimit-limit-requests") == "3")
            let stats = try await client.stats()
            #expect(stats["rate_limit_rejections"] as? Int == 1)
        }
    }

    @Test("tpm: a request whose prompt plus max_tokens exceeds the remaining tokens gets 429")
    func tokensPerMinute() async throws {
        try await withSimulator({ $0.tpm = 100 }) { client in
            let body = chatBody("one two three four five six seven eight nine ten", extra: ["max_tokens": 40])
            let first = try await client.post("/v1/chat/completions", json: body)
            #expect(first.status == 200)
            #expect(first.header("x-ratelimit-limit-tokens") == "100")
            #expect(first.header("x-ratelimit-remaining-tokens") == "47")  // 100 - (13 + 40)
            let second = try await client.post("/v1/chat/completions", json: body)
            #expect(second.status == 429)
            // The bucket refills 100/60 tokens a second, so a slow machine may show a little more than 47.
            let remaining = try #require(second.header("x-ratelimit-remaining-tokens").flatMap(Int.init))
            #expect((47...52).contains(remaining))
        }
    }
}
