import Foundation
import QuarrySimulator
import Testing

@Suite("Judge mode")
struct JudgeTests {
    static var judgeSchema: [String: Any] { [
        "type": "object", "additionalProperties": false,
        "required": ["supported", "confidence", "reason", "unsupported_claims"],
        "properties": [
            "supported": ["type": "boolean"],
            "confidence": ["type": "number", "minimum": 0, "maximum": 1],
            "reason": ["type": "string"],
            "unsupported_claims": ["type": "array", "items": ["type": "string"]],
        ],
    ] }

    private func judge(_ client: TestClient, context: String, answer: String) async throws -> (verdict: Bool, body: [String: Any]) {
        let prompt = "QUARRY-JUDGE Is the answer supported by the context?\n<context>\(context)</context>\n<answer>\(answer)</answer>"
        let result = try await client.post("/v1/chat/completions", json: chatBody(prompt, extra: [
            "response_format": ["type": "json_schema", "json_schema": ["name": "verdict", "strict": true, "schema": Self.judgeSchema]],
        ]))
        #expect(result.header("x-sim-judge") == "true")
        #expect(result.header("x-sim-hallucinated") == "false")
        let content = try #require(chatContent(result))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any])
        #expect(SchemaValidator(root: Self.judgeSchema).validate(object).isEmpty)
        return (try #require(object["supported"] as? Bool), object)
    }

    @Test("a supported and an unsupported answer are classified correctly")
    func classifies() async throws {
        try await withSimulator { client in
            let supported = try await judge(client, context: sampleContext, answer: "Barges carry coal and grain along the river.")
            #expect(supported.verdict == true)
            let unsupported = try await judge(client, context: sampleContext, answer: "Barges carry copper to Lisbon since 1847.")
            #expect(unsupported.verdict == false)
            #expect((unsupported.body["unsupported_claims"] as? [String])?.contains("lisbon") == true)

            // Text mode, with labels instead of tags.
            let text = try await client.post("/v1/chat/completions", json: chatBody(
                "QUARRY-JUDGE\nContext: \(sampleContext)\nAnswer: Vineyards line the valley near Zorvath."))
            #expect(chatContent(text)?.hasPrefix("UNSUPPORTED") == true)
        }
    }

    @Test("structured answers pasted as JSON are judged on their answer fields")
    func jsonAnswers() async throws {
        let schema: [String: Any] = [
            "type": "object", "required": ["category", "answer"],
            "properties": ["category": ["type": "string", "enum": ["transport", "wine"]], "answer": ["type": "string"]],
        ]
        for rate in [0.0, 1.0] {
            try await withSimulator({ $0.hallucinationRate = rate }) { client in
                let generated = try await client.post("/v1/chat/completions", json: chatBody("<context>\(sampleContext)</context>", extra: [
                    "response_format": ["type": "json_schema", "json_schema": ["name": "a", "schema": schema]],
                ]))
                let hallucinated = generated.header("x-sim-hallucinated") == "true"
                #expect(hallucinated == (rate == 1))
                let verdict = try await judge(client, context: sampleContext, answer: try #require(chatContent(generated)))
                #expect(verdict.verdict == !hallucinated)
            }
        }
    }

    @Test("judgeErrorRate 1.0 flips every verdict")
    func imperfectJudge() async throws {
        try await withSimulator({ $0.judgeErrorRate = 1 }) { client in
            let verdict = try await judge(client, context: sampleContext, answer: "Barges carry coal along the river.")
            #expect(verdict.verdict == false)
        }
    }

    @Test("generate-then-verify: the judge recovers the hallucination ground truth with precision and recall >= 0.9")
    func pipeline() async throws {
        try await withSimulator({ $0.hallucinationRate = 0.4 }) { client in
            var truePositives = 0, falsePositives = 0, falseNegatives = 0
            for index in 0..<40 {
                let prompt = "Question \(index): summarise the passage.\n<context>\(sampleContext)</context>"
                let generated = try await client.post("/v1/chat/completions", json: chatBody(prompt))
                let hallucinated = generated.header("x-sim-hallucinated") == "true"
                let answer = try #require(chatContent(generated))
                let flaggedUnsupported = try await judge(client, context: sampleContext, answer: answer).verdict == false
                switch (flaggedUnsupported, hallucinated) {
                case (true, true): truePositives += 1
                case (true, false): falsePositives += 1
                case (false, true): falseNegatives += 1
                case (false, false): break
                }
            }
            let positives = truePositives + falseNegatives
            #expect(positives > 5 && positives < 30, "hallucination rate 0.4 over 40 requests gave \(positives)")
            let precision = Double(truePositives) / Double(max(1, truePositives + falsePositives))
            let recall = Double(truePositives) / Double(max(1, positives))
            #expect(precision >= 0.9)
            #expect(recall >= 0.9)
            let stats = try await client.stats()
            #expect(stats["judge_requests"] as? Int == 40)
            #expect(stats["hallucinated"] as? Int == positives)
        }
    }

    @Test("a <profile> block: its words count as known, items the answer brings up beyond the context are off-topic, wrong-claim lists stay empty")
    func profile() async throws {
        let schema: [String: Any] = [
            "type": "object", "additionalProperties": false,
            "required": ["supported", "unsupported_claims", "wrong_claims", "off_topic_profile", "off_topic_tags"],
            "properties": [
                "supported": ["type": "boolean"],
                "unsupported_claims": ["type": "array", "items": ["type": "string"]],
                "wrong_claims": ["type": "array", "items": ["type": "string"]],
                "off_topic_profile": ["type": "boolean"],
                "off_topic_tags": ["type": "array", "items": ["type": "string"]],
            ],
        ]
        func ask(_ client: TestClient, answer: String) async throws -> [String: Any] {
            let prompt = "QUARRY-JUDGE\n<context>\(sampleContext)</context>\n<profile>macos, wine-tasting, rhine</profile>\n<answer>\(answer)</answer>"
            let result = try await client.post("/v1/chat/completions", json: chatBody(prompt, extra: [
                "response_format": ["type": "json_schema", "json_schema": ["name": "verdict", "strict": true, "schema": schema]],
            ]))
            let content = try #require(chatContent(result))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any])
            #expect(SchemaValidator(root: schema).validate(object).isEmpty)
            return object
        }
        try await withSimulator { client in
            // "macos" is only in the profile: supported (the asker said it), but off-topic for a river question.
            let offTopic = try await ask(client, answer: "Barges carry coal along the Rhine for macos.")
            #expect(offTopic["supported"] as? Bool == true)
            #expect(offTopic["off_topic_profile"] as? Bool == true)
            #expect(offTopic["off_topic_tags"] as? [String] == ["macos"])
            #expect(offTopic["wrong_claims"] as? [String] == [])
            // "rhine" is in the profile and in the context: on-topic.
            let onTopic = try await ask(client, answer: "Barges carry coal along the Rhine.")
            #expect(onTopic["off_topic_profile"] as? Bool == false)
            #expect(onTopic["off_topic_tags"] as? [String] == [])
            let invented = try await ask(client, answer: "Barges carry coal to Zorvath.")
            #expect(invented["supported"] as? Bool == false)
            #expect(invented["unsupported_claims"] as? [String] == ["zorvath"])
            #expect(invented["wrong_claims"] as? [String] == [])
        }
    }
}
