import Foundation
import QuarrySimulator
import Testing

@Suite("Judge mode: contradiction verdicts")
struct ContradictionJudgeTests {
    static var schema: [String: Any] { [
        "type": "object", "additionalProperties": false, "required": ["contradicts", "reason"],
        "properties": ["contradicts": ["type": "boolean"], "reason": ["type": "string"]],
    ] }

    private func contradicts(_ client: TestClient, original: String, revised: String) async throws -> (Bool, String) {
        // No QUARRY-JUDGE marker: the schema's `contradicts` boolean alone makes it a judge request.
        let prompt = "Does the revised statement contradict the original?\n<context>\(original)</context>\n<answer>\(revised)</answer>"
        let result = try await client.post("/v1/chat/completions", json: chatBody(prompt, extra: [
            "response_format": ["type": "json_schema", "json_schema": ["name": "contradiction", "strict": true, "schema": Self.schema]],
        ]))
        #expect(result.header("x-sim-judge") == "true")
        let content = try #require(chatContent(result))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any])
        #expect(SchemaValidator(root: Self.schema).validate(object).isEmpty)
        return (try #require(object["contradicts"] as? Bool), try #require(object["reason"] as? String))
    }

    @Test("a revision that changes a name or number contradicts; a repetition or a shortening does not")
    func classifies() async throws {
        try await withSimulator { client in
            let original = "The Rhine flows into the North Sea."
            let changed = try await contradicts(client, original: original, revised: "The Rhine flows into the Baltic Sea.")
            #expect(changed.0 == true)
            #expect(changed.1.contains("baltic"))
            let same = try await contradicts(client, original: original, revised: "The Rhine flows into the North Sea.")
            #expect(same.0 == false)
            let shorter = try await contradicts(client, original: original, revised: "The Rhine flows.")
            #expect(shorter.0 == false)
        }
    }

    @Test("with judgeErrorRate 1 every verdict is flipped")
    func flipped() async throws {
        try await withSimulator({ $0.judgeErrorRate = 1 }) { client in
            let original = "The Rhine flows into the North Sea."
            let changed = try await contradicts(client, original: original, revised: "The Rhine flows into the Baltic Sea.")
            let same = try await contradicts(client, original: original, revised: original)
            #expect(changed.0 == false)
            #expect(same.0 == true)
        }
    }
}
