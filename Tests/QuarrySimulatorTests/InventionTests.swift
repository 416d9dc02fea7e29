import Foundation
import QuarrySimulator
import Testing

/// Requests a real model answers by inventing or extracting rather than by echoing prompt words.
@Suite("Invented names and statement extraction")
struct InventionTests {
    private func schemaBody(_ prompt: String, name: String, schema: [String: Any], temperature: Double = 0.9) -> [String: Any] {
        chatBody(prompt, extra: [
            "temperature": temperature,
            "response_format": ["type": "json_schema", "json_schema": ["name": name, "strict": true, "schema": schema]],
        ])
    }

    private func object(_ result: HTTPResult) throws -> [String: Any] {
        let content = try #require(chatContent(result))
        return try #require(try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any])
    }

    static var entitySchema: [String: Any] { [
        "type": "object", "additionalProperties": false, "required": ["name", "type"],
        "properties": ["name": ["type": "string"], "type": ["type": "string"]],
    ] }

    @Test("asked to invent a fictitious entity, the name is made up, not copied from the prompt; the pool is small enough to repeat")
    func inventsNames() async throws {
        try await withSimulator { client in
            var names: [String] = []
            for seed in ["Quincy Jones", "Vladimir Lenin", "Fifi Cooper", "Jennifer Paz", "Carmelo Anthony", "Don Beard"] {
                for attempt in 0..<10 {
                    let prompt = "Invent a new, non-existent fictitious person modelled on the seed.\nSeed person: \(seed)\nAttempt: \(attempt)"
                    let answer = try object(try await client.post("/v1/chat/completions", json: schemaBody(prompt, name: "entity", schema: Self.entitySchema)))
                    let name = try #require(answer["name"] as? String)
                    #expect(Set(wordKeys(name)).isDisjoint(with: Set(wordKeys(prompt))), "copied prompt words: \(name)")
                    names.append(name)
                }
            }
            // 60 names from a pool of 1,024: distinct mostly, but a generator must not be assumed unique.
            #expect(Set(names).count > 40)
            let medical = try object(try await client.post("/v1/chat/completions", json: schemaBody(
                "Invent a fictitious medical entity modelled on the seed.\nSeed medical entity: Kabuki syndrome", name: "entity", schema: Self.entitySchema)))
            let medicalName = try #require(medical["name"] as? String)
            #expect(!medicalName.contains("Kabuki"))
            #expect(medicalName.split(separator: " ").count == 2)

            // Without the request to invent, names are still drawn from the prompt.
            let plain = try object(try await client.post("/v1/chat/completions", json: schemaBody(
                "Name the river.\n<context>\(sampleContext)</context>", name: "entity", schema: Self.entitySchema)))
            let plainName = try #require(plain["name"] as? String)
            #expect(Set(wordKeys(plainName)).isSubset(of: Set(wordKeys(sampleContext))))
        }
    }

    static var statementsSchema: [String: Any] { [
        "type": "object", "additionalProperties": false, "required": ["statements"],
        "properties": ["statements": ["type": "array", "items": ["type": "string"]]],
    ] }

    @Test("statements extracted from a context are its sentences, in order; a hallucinated answer changes one of them")
    func extractsStatements() async throws {
        try await withSimulator { client in
            let prompt = "Split the text into atomic statements.\n<context>\(sampleContext)</context>"
            let answer = try object(try await client.post("/v1/chat/completions", json: schemaBody(prompt, name: "statements", schema: Self.statementsSchema)))
            let statements = try #require(answer["statements"] as? [String])
            let sentences = sampleContext.split(separator: ".").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            #expect(statements.count == sentences.count)
            for (statement, sentence) in zip(statements, sentences) { #expect(wordKeys(statement) == wordKeys(sentence)) }
        }
        try await withSimulator({ $0.hallucinationRate = 1 }) { client in
            let prompt = "Split the text into atomic statements.\n<context>\(sampleContext)</context>"
            let result = try await client.post("/v1/chat/completions", json: schemaBody(prompt, name: "statements", schema: Self.statementsSchema))
            #expect(result.header("x-sim-hallucinated") == "true")
            let statements = try #require(try object(result)["statements"] as? [String])
            let context = Set(wordKeys(sampleContext))
            #expect(statements.filter { !Set(wordKeys($0)).isSubset(of: context) }.count == 1)
        }
    }
}
