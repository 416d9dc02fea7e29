import Foundation
import QuarrySimulator
import Testing

@Suite("OpenAI-style errors")
struct ErrorResponseTests {
    private func error(_ result: HTTPResult) -> [String: Any]? {
        result.object?["error"] as? [String: Any]
    }

    @Test("malformed JSON and missing fields give 400 with a clear message")
    func badRequests() async throws {
        try await withSimulator { client in
            let malformed = try await client.post("/v1/chat/completions", raw: Data("{\"model\": ".utf8))
            #expect(malformed.status == 400)
            #expect(error(malformed)?["type"] as? String == "invalid_request_error")
            #expect(error(malformed)?["code"] as? String == "invalid_json")
            #expect((error(malformed)?["message"] as? String)?.contains("parse the JSON") == true)

            let noMessages = try await client.post("/v1/chat/completions", json: ["model": "sim-small"])
            #expect(noMessages.status == 400)
            #expect((error(noMessages)?["message"] as? String)?.contains("'messages'") == true)
            #expect(error(noMessages)?["param"] as? String == "messages")

            let noModel = try await client.post("/v1/chat/completions", json: ["messages": [["role": "user", "content": "hi"]]])
            #expect(noModel.status == 400)
            #expect((error(noModel)?["message"] as? String)?.contains("'model'") == true)

            let noPrompt = try await client.post("/v1/completions", json: ["model": "sim-small"])
            #expect(noPrompt.status == 400)
            let stream = try await client.post("/v1/chat/completions", json: chatBody("hi", extra: ["stream": true]))
            #expect(stream.status == 400)
            #expect(error(stream)?["code"] as? String == "unsupported_parameter")
        }
    }

    @Test("unknown model gives 404 model_not_found; /v1/models lists the configured ones")
    func unknownModel() async throws {
        try await withSimulator({ $0.models = ["alpha", "beta"] }) { client in
            let result = try await client.post("/v1/chat/completions", json: chatBody("hi", model: "gpt-unknown"))
            #expect(result.status == 404)
            #expect(error(result)?["code"] as? String == "model_not_found")
            let models = try await client.get("/v1/models")
            let ids = (models.object?["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == ["alpha", "beta"])
            #expect(try await client.get("/v1/models/beta").status == 200)
            #expect(try await client.get("/v1/models/gamma").status == 404)
        }
    }

    @Test("a prompt beyond contextWindowTokens gives 400 context_length_exceeded")
    func contextWindow() async throws {
        try await withSimulator({ $0.contextWindowTokens = 100 }) { client in
            let long = Array(repeating: "word", count: 200).joined(separator: " ")
            let result = try await client.post("/v1/chat/completions", json: chatBody(long))
            #expect(result.status == 400)
            #expect(error(result)?["code"] as? String == "context_length_exceeded")
            let fits = try await client.post("/v1/chat/completions", json: chatBody("short prompt"))
            #expect(fits.status == 200)
        }
    }

    @Test("requiredAPIKey: missing or wrong bearer token gives 401, the right one passes")
    func apiKey() async throws {
        try await withSimulator({ $0.requiredAPIKey = "sk-sim-secret" }) { client in
            let missing = try await client.post("/v1/chat/completions", json: chatBody("hi"))
            #expect(missing.status == 401)
            #expect(error(missing)?["code"] as? String == "invalid_api_key")
            let wrong = try await client.post("/v1/chat/completions", json: chatBody("hi"), headers: ["Authorization": "Bearer sk-nope"])
            #expect(wrong.status == 401)
            let right = try await client.post("/v1/chat/completions", json: chatBody("hi"), headers: ["Authorization": "Bearer sk-sim-secret"])
            #expect(right.status == 200)
        }
    }
}
