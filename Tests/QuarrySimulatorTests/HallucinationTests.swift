import Foundation
import QuarrySimulator
import Testing

@Suite("Hallucination injection and ground truth")
struct HallucinationTests {
    static let inventedWords: Set<String> = [
        "zorvath", "quillmere", "brannoxia", "velthuria", "ostrakine", "maraventh", "clorindel", "thessalvy",
        "drunmoor", "yselbrach", "kavrenthal", "pellucidra", "ombrasque", "virnholt", "saxelune", "tavrimosk",
        "querindale", "halvenport", "morvessa", "grisantheon", "elbrixa", "nordvallen", "ulmastre", "feyrolan",
    ]

    @Test("rate 1.0: header true, the content has words absent from the prompt, the id is listed")
    func alwaysHallucinate() async throws {
        try await withSimulator({ $0.hallucinationRate = 1 }) { client in
            let result = try await client.post("/v1/chat/completions", json: chatBody(sampleContext))
            #expect(result.header("x-sim-hallucinated") == "true")
            let content = try #require(chatContent(result))
            let promptWords = Set(wordKeys(sampleContext))
            let foreign = wordKeys(content).filter { !promptWords.contains($0) }
            #expect(!foreign.isEmpty)
            #expect(foreign.contains { Self.inventedWords.contains($0) || $0.allSatisfy(\.isNumber) })
            let id = try #require(result.object?["id"] as? String)
            let report = try #require(try await client.get("/stats/hallucinations").object)
            #expect(report["hallucinated_ids"] as? [String] == [id])
            #expect(report["hallucinated"] as? Int == 1)
            #expect(client.simulator.hallucinatedCompletionIDs == [id])

            // Schema output: the invented words land in the answer field.
            let schema: [String: Any] = [
                "type": "object", "required": ["topic", "answer"],
                "properties": ["topic": ["type": "string", "enum": ["rivers"]], "answer": ["type": "string"]],
            ]
            let structured = try await client.post("/v1/chat/completions", json: chatBody(sampleContext, extra: [
                "response_format": ["type": "json_schema", "json_schema": ["name": "a", "schema": schema]],
            ]))
            #expect(structured.header("x-sim-hallucinated") == "true")
            let structuredContent = try #require(chatContent(structured))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(structuredContent.utf8)) as? [String: Any])
            let answer = try #require(object["answer"] as? String)
            #expect(wordKeys(answer).contains { !promptWords.contains($0) })

            // Legacy completions too.
            let completion = try await client.post("/v1/completions", json: ["model": "sim-small", "prompt": sampleContext, "max_tokens": 20])
            #expect(completion.header("x-sim-hallucinated") == "true")
        }
    }

    @Test("rate 0: header false and every word comes from the prompt")
    func neverHallucinate() async throws {
        try await withSimulator({ $0.hallucinationRate = 0 }) { client in
            for index in 0..<5 {
                let prompt = "Question \(index): what moves on the river? <context>\(sampleContext)</context>"
                let result = try await client.post("/v1/chat/completions", json: chatBody(prompt))
                #expect(result.header("x-sim-hallucinated") == "false")
                let contextWords = Set(wordKeys(sampleContext))
                let content = try #require(chatContent(result))
                #expect(wordKeys(content).allSatisfy { contextWords.contains($0) }, "ungrounded: \(content)")
            }
            let stats = try await client.stats()
            #expect(stats["hallucinated"] as? Int == 0)
            #expect(stats["clean"] as? Int == 5)
        }
    }

    @Test("an invented word the prompt itself contains is never injected")
    func avoidsPromptWords() async throws {
        try await withSimulator({ $0.hallucinationRate = 1 }) { client in
            let prompt = sampleContext + " Zorvath Quillmere 1847"
            let result = try await client.post("/v1/chat/completions", json: chatBody(prompt))
            #expect(result.header("x-sim-hallucinated") == "true")
            let promptWords = Set(wordKeys(prompt))
            #expect(wordKeys(try #require(chatContent(result))).contains { !promptWords.contains($0) })
        }
    }
}
