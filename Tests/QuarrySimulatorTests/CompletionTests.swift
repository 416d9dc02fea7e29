import Foundation
import QuarrySimulator
import Testing

@Suite("Legacy completions")
struct CompletionTests {
    @Test("echo + logprobs + max_tokens 0 scores the prompt: tokens, token_logprobs, top_logprobs, text_offset")
    func echoLogprobs() async throws {
        let prompt = "The  quick brown fox\njumps over the lazy dog."
        try await withSimulator { client in
            let result = try await client.post(
                "/v1/completions",
                json: ["model": "sim-small", "prompt": prompt, "max_tokens": 0, "echo": true, "logprobs": 2])
            #expect(result.status == 200)
            let object = try #require(result.object)
            #expect(object["object"] as? String == "text_completion")
            let choice = try #require((object["choices"] as? [[String: Any]])?.first)
            #expect(choice["text"] as? String == prompt)
            let logprobs = try #require(choice["logprobs"] as? [String: Any])
            let tokens = try #require(logprobs["tokens"] as? [String])
            let values = try #require(logprobs["token_logprobs"] as? [Any])
            let top = try #require(logprobs["top_logprobs"] as? [Any])
            let offsets = try #require(logprobs["text_offset"] as? [Int])
            #expect(tokens.count == 9)
            #expect(tokens.joined() == prompt)
            #expect(values.count == tokens.count && top.count == tokens.count && offsets.count == tokens.count)
            #expect(values.first is NSNull)
            #expect(top.first is NSNull)
            for value in values.dropFirst() {
                let number = try #require(value as? Double)
                #expect(number >= -8 && number <= -0.05)
            }
            for entry in top.dropFirst() {
                #expect((entry as? [String: Double])?.count == 2)
            }
            // Offsets point at each token's start in the text.
            let scalars = Array(prompt.unicodeScalars)
            for (token, offset) in zip(tokens, offsets) {
                let slice = String(String.UnicodeScalarView(scalars[offset..<(offset + token.unicodeScalars.count)]))
                #expect(slice == token)
            }
            let usage = try #require(object["usage"] as? [String: Int])
            #expect(usage["completion_tokens"] == 0)
            #expect(usage["prompt_tokens"] == 12)  // 9 words × 1.3 = 11.7
            // Longer, rarer words score lower than short function words.
            let lazy = try #require(values[tokens.firstIndex(of: " lazy")!] as? Double)
            let the = try #require(values[tokens.firstIndex(of: " the")!] as? Double)
            #expect(the > lazy)
        }
    }

    @Test("completions continue the prompt deterministically and honour max_tokens")
    func completion() async throws {
        try await withSimulator { client in
            let body: [String: Any] = ["model": "sim-large", "prompt": sampleContext, "max_tokens": 6, "logprobs": 1]
            let first = try await client.post("/v1/completions", json: body)
            let second = try await client.post("/v1/completions", json: body)
            let choice = try #require((first.object?["choices"] as? [[String: Any]])?.first)
            let text = try #require(choice["text"] as? String)
            #expect(text.hasPrefix(" "))
            #expect(choice["finish_reason"] as? String == "length")
            #expect(try #require((first.object?["usage"] as? [String: Int])?["completion_tokens"]) <= 6)
            #expect(first.text.replacingOccurrences(of: #""created":\d+"#, with: "", options: .regularExpression)
                == second.text.replacingOccurrences(of: #""created":\d+"#, with: "", options: .regularExpression))
            let offsets = try #require((choice["logprobs"] as? [String: Any])?["text_offset"] as? [Int])
            #expect(offsets.first == sampleContext.unicodeScalars.count)
        }
    }
}
