import Foundation
import QuarryLLM
import Testing

@Suite("Log-prob scoring through /completions")
struct ScoringTests {
    @Test("echoed tokens come with their text offsets, which index the prompt (fresh and from the cache)")
    func textOffsets() async throws {
        try await LLMTestHarness.with { harness in
            let build = try await harness.queue.createBuild(name: "scoring")
            let service = try harness.service([harness.endpoint(priceIn: 0, priceOut: 0)])
            let prompt = "Question: What is granite?\nAnswer: Granite is an igneous rock."
            let fresh = try await service.completionLogprobs(prompt: prompt, endpoint: "sim", build: build, kind: "score")
            let cached = try await service.completionLogprobs(prompt: prompt, endpoint: "sim", build: build, kind: "score")
            await service.shutdown()
            #expect(cached.cached && cached.textOffsets == fresh.textOffsets)
            let offsets = try #require(fresh.textOffsets)
            #expect(offsets.count == fresh.tokens.count)
            let scalars = Array(prompt.unicodeScalars)
            for (token, offset) in zip(fresh.tokens, offsets) {
                let end = offset + token.unicodeScalars.count
                #expect(end <= scalars.count && String(String.UnicodeScalarView(scalars[offset..<end])) == token)
            }
        }
    }
}
