import Foundation
import QuarrySimulator
import Testing

@Suite("Chat completions")
struct ChatCompletionTests {
    static var schema: [String: Any] { [
        "type": "object",
        "additionalProperties": false,
        "required": ["title", "answer", "confidence", "year", "tags", "category", "verified", "source", "steps", "note"],
        "properties": [
            "title": ["type": "string", "maxLength": 40],
            "answer": ["type": "string", "minLength": 20],
            "confidence": ["type": "number", "minimum": 0, "maximum": 1],
            "year": ["type": "integer", "minimum": 1800, "maximum": 1900],
            "tags": ["type": "array", "items": ["type": "string"], "minItems": 2, "maxItems": 4],
            "category": ["type": "string", "enum": ["geography", "history", "trade"]],
            "verified": ["type": "boolean"],
            "source": ["$ref": "#/$defs/Source"],
            "steps": ["type": "array", "items": ["$ref": "#/$defs/Step"], "minItems": 1],
            "note": ["anyOf": [["type": "string"], ["type": "null"]]],
        ],
        "$defs": [
            "Source": [
                "type": "object", "additionalProperties": false, "required": ["url", "page"],
                "properties": ["url": ["type": "string", "format": "uri"], "page": ["type": "integer", "exclusiveMinimum": 0, "multipleOf": 5]],
            ],
            "Step": [
                "type": "object", "additionalProperties": false, "required": ["order", "text"],
                "properties": ["order": ["type": "integer"], "text": ["type": "string"]],
            ],
        ],
    ] }

    @Test("a json_schema response_format returns a schema-valid instance built from prompt words")
    func jsonSchemaInstance() async throws {
        try await withSimulator { client in
            let body = chatBody(
                "Answer from the context. <context>\(sampleContext)</context>",
                extra: ["response_format": ["type": "json_schema", "json_schema": ["name": "answer", "strict": true, "schema": Self.schema]]])
            let result = try await client.post("/v1/chat/completions", json: body)
            #expect(result.status == 200)
            let content = try #require(chatContent(result))
            let instance = try JSONSerialization.jsonObject(with: Data(content.utf8))
            let problems = SchemaValidator(root: Self.schema).validate(instance)
            #expect(problems.isEmpty, "schema violations: \(problems)")
            let object = try #require(instance as? [String: Any])
            let answer = try #require(object["answer"] as? String)
            let contextWords = Set(wordKeys(sampleContext))
            #expect(wordKeys(answer).allSatisfy { contextWords.contains($0) }, "answer words not from the context: \(answer)")
        }
    }

    @Test("schemas of many shapes all validate")
    func manySchemas() async throws {
        let schemas: [[String: Any]] = [
            ["type": "object", "properties": ["items": ["type": "array", "items": ["type": "integer", "minimum": -3, "maximum": 3], "minItems": 5, "maxItems": 5, "uniqueItems": true]], "required": ["items"]],
            ["type": "object", "properties": ["a": ["type": ["string", "null"]], "b": ["type": "number", "exclusiveMinimum": 0.5, "exclusiveMaximum": 0.6]], "required": ["a", "b"]],
            ["type": "object", "properties": ["nested": ["type": "object", "properties": ["deeper": ["type": "object", "properties": ["flag": ["type": "boolean"], "label": ["type": "string", "enum": ["x", "y"]]], "required": ["flag", "label"]]], "required": ["deeper"]]], "required": ["nested"]],
            ["type": "object", "properties": ["pair": ["type": "array", "prefixItems": [["type": "string"], ["type": "integer"]], "items": false]], "required": ["pair"]],
            ["type": "object", "properties": ["code": ["type": "string", "minLength": 30, "maxLength": 35]], "required": ["code"]],
            ["type": "object", "allOf": [["properties": ["x": ["type": "integer", "multipleOf": 7, "minimum": 10, "maximum": 50]], "required": ["x"]], ["properties": ["y": ["const": "fixed"]], "required": ["y"]]]],
        ]
        try await withSimulator { client in
            for (index, schema) in schemas.enumerated() {
                let body = chatBody("List facts about barges and rivers, schema \(index).", extra: [
                    "response_format": ["type": "json_schema", "json_schema": ["name": "s\(index)", "schema": schema]],
                ])
                let result = try await client.post("/v1/chat/completions", json: body)
                #expect(result.status == 200)
                let content = try #require(chatContent(result))
                let instance = try JSONSerialization.jsonObject(with: Data(content.utf8))
                let problems = SchemaValidator(root: schema).validate(instance)
                #expect(problems.isEmpty, "schema \(index): \(problems) in \(content)")
            }
        }
    }

    @Test("the same request gives the same content; key order and spacing do not matter; the seed does")
    func determinism() async throws {
        let body = chatBody("Describe the Rhine: \(sampleContext)", extra: ["temperature": 0.7, "n": 2])
        let first = try await withSimulator { client in try await client.post("/v1/chat/completions", json: body) }
        let (second, reordered) = try await withSimulator { client in
            let second = try await client.post("/v1/chat/completions", json: body)
            // Same JSON, different key order and whitespace.
            let raw = """
                { "n" : 2, "temperature":0.7,
                  "messages": [ {"content": \(String(decoding: try JSONSerialization.data(withJSONObject: ["Describe the Rhine: \(sampleContext)"]), as: UTF8.self).dropFirst().dropLast()), "role":"user"} ],
                  "model":"sim-small" }
                """
            let reordered = try await client.post("/v1/chat/completions", raw: Data(raw.utf8))
            return (second, reordered)
        }
        let other = try await withSimulator({ $0.seed = 99 }) { client in try await client.post("/v1/chat/completions", json: body) }
        #expect(first.status == 200)
        #expect(chatContent(first) != nil)
        #expect(chatContent(first) == chatContent(second))
        #expect(chatContent(first, choice: 1) == chatContent(second, choice: 1))
        #expect(chatContent(first) == chatContent(reordered))
        #expect(first.object?["id"] as? String == second.object?["id"] as? String)
        #expect(chatContent(first) != chatContent(first, choice: 1), "n choices at temperature 0.7 differ")
        #expect(chatContent(first) != chatContent(other), "a different seed gives different content")
    }

    @Test("response carries OpenAI's fields, usage counts words x1.3, max_tokens cuts with finish_reason length")
    func shapeAndUsage() async throws {
        try await withSimulator { client in
            let prompt = "one two three four five six seven eight nine ten"
            let result = try await client.post("/v1/chat/completions", json: chatBody(prompt, extra: ["max_tokens": 5]))
            let object = try #require(result.object)
            #expect(object["object"] as? String == "chat.completion")
            #expect((object["id"] as? String)?.hasPrefix("chatcmpl-") == true)
            #expect(object["model"] as? String == "sim-small")
            #expect(object["created"] as? Int != nil)
            #expect((object["system_fingerprint"] as? String)?.hasPrefix("fp_") == true)
            let choice = try #require((object["choices"] as? [[String: Any]])?.first)
            #expect(choice["finish_reason"] as? String == "length")
            #expect((choice["message"] as? [String: Any])?["role"] as? String == "assistant")
            let usage = try #require(object["usage"] as? [String: Int])
            #expect(usage["prompt_tokens"] == 13)  // 10 words × 1.3
            let content = try #require(chatContent(result))
            let words = content.split(separator: " ").count
            #expect(usage["completion_tokens"] == Int((Double(words) * 1.3).rounded()))
            #expect(try #require(usage["completion_tokens"]) <= 5)
            #expect(usage["total_tokens"] == usage["prompt_tokens"]! + usage["completion_tokens"]!)
            #expect(result.header("x-request-id") != nil)

            let free = try await client.post("/v1/chat/completions", json: chatBody(prompt, extra: ["n": 3]))
            let choices = try #require(free.object?["choices"] as? [[String: Any]])
            #expect(choices.count == 3)
            #expect(choices.allSatisfy { $0["finish_reason"] as? String == "stop" })
        }
    }

    @Test("logprobs: true with top_logprobs returns one entry per token, tokens rebuild the content")
    func chatLogprobs() async throws {
        try await withSimulator { client in
            let result = try await client.post("/v1/chat/completions", json: chatBody(sampleContext, extra: ["logprobs": true, "top_logprobs": 3]))
            let choice = try #require((result.object?["choices"] as? [[String: Any]])?.first)
            let logprobs = try #require(choice["logprobs"] as? [String: Any])
            let entries = try #require(logprobs["content"] as? [[String: Any]])
            #expect(!entries.isEmpty)
            #expect(entries.compactMap { $0["token"] as? String }.joined() == chatContent(result))
            for entry in entries {
                let value = try #require(entry["logprob"] as? Double)
                #expect(value <= -0.05 && value >= -8)
                let top = try #require(entry["top_logprobs"] as? [[String: Any]])
                #expect(top.count == 3)
                #expect(top.first?["token"] as? String == entry["token"] as? String)
                #expect((entry["bytes"] as? [Int])?.count == (entry["token"] as? String)?.utf8.count)
            }
        }
    }

    @Test("json_object mode returns a JSON object")
    func jsonObject() async throws {
        try await withSimulator { client in
            let result = try await client.post(
                "/v1/chat/completions", json: chatBody(sampleContext, extra: ["response_format": ["type": "json_object"]]))
            let content = try #require(chatContent(result))
            let object = try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any]
            #expect(object?["answer"] is String)
        }
    }

    @Test("content given as an array of text parts is read")
    func contentParts() async throws {
        try await withSimulator { client in
            let body: [String: Any] = [
                "model": "sim-small",
                "messages": [
                    ["role": "system", "content": "Be brief."],
                    ["role": "user", "content": [["type": "text", "text": "zeppelins drift over quiet harbours"]]],
                ],
            ]
            let result = try await client.post("/v1/chat/completions", json: body)
            #expect(result.status == 200)
            let words = Set(wordKeys("zeppelins drift over quiet harbours"))
            #expect(wordKeys(try #require(chatContent(result))).allSatisfy { words.contains($0) })
        }
    }

    @Test("fixed latency delays the response")
    func latency() async throws {
        try await withSimulator({ $0.latency = .fixed(ms: 300) }) { client in
            let start = Date()
            let result = try await client.post("/v1/chat/completions", json: chatBody("hello there"))
            #expect(result.status == 200)
            #expect(Date().timeIntervalSince(start) >= 0.29)
            #expect(result.header("openai-processing-ms") == "300")
        }
    }
}
