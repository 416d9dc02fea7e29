import Foundation
import QuarrySimulator
import Testing

@Suite("Stats")
struct StatsTests {
    @Test("counts by endpoint and status, tokens for 200s only, duplicates, and reset")
    func counting() async throws {
        try await withSimulator { client in
            let body = chatBody("one two three four five six seven eight nine ten")
            _ = try await client.post("/v1/chat/completions", json: body)
            _ = try await client.post("/v1/chat/completions", json: body)
            _ = try await client.post("/v1/chat/completions", json: chatBody("something else entirely"))
            _ = try await client.post("/v1/chat/completions", json: ["model": "sim-small"])
            _ = try await client.post("/v1/embeddings", json: ["model": "sim-small", "input": "abc def"])
            _ = try await client.get("/v1/models")

            let stats = try await client.stats()
            #expect(stats["total_requests"] as? Int == 6)
            #expect(stats["in_flight"] as? Int == 0)
            let byEndpoint = try #require(stats["requests_by_endpoint"] as? [String: Int])
            #expect(byEndpoint["POST /v1/chat/completions"] == 4)
            #expect(byEndpoint["POST /v1/embeddings"] == 1)
            #expect(byEndpoint["GET /v1/models"] == 1)
            let byStatus = try #require(stats["requests_by_status"] as? [String: Int])
            #expect(byStatus["200"] == 5)
            #expect(byStatus["400"] == 1)
            #expect(stats["duplicate_requests"] as? Int == 1)
            #expect(stats["duplicate_successful_requests"] as? Int == 1)
            #expect(stats["unique_bodies"] as? Int == 4)
            // 13 + 13 + 4 (3 words) + 3 (2 words, embeddings)
            #expect(stats["prompt_tokens"] as? Int == 33)
            #expect(try #require(stats["completion_tokens"] as? Int) > 0)
            #expect(client.simulator.stats.totalRequests == 6)

            let duplicates = try await client.get("/stats/duplicates")
            #expect((duplicates.object?["duplicate_bodies"] as? [String: Int])?.values.sorted() == [2])

            let reset = try await client.post("/stats/reset", raw: Data())
            #expect(reset.status == 200)
            let after = try await client.stats()
            #expect(after["total_requests"] as? Int == 0)
            #expect(after["duplicate_requests"] as? Int == 0)
        }
    }

    @Test("the Swift snapshot decodes from GET /stats")
    func codable() async throws {
        try await withSimulator { client in
            _ = try await client.post("/v1/chat/completions", json: chatBody("hi"))
            let decoded = try JSONDecoder().decode(SimulatorStats.self, from: try await client.get("/stats").body)
            #expect(decoded == client.simulator.stats)
            #expect(decoded.requestsByStatus["200"] == 1)
        }
    }
}
