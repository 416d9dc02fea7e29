import QuarryJSON

/// A validated `POST /v1/chat/completions` body.
struct ChatCompletionRequest: Sendable {
    enum ResponseFormat: Sendable {
        case text
        case jsonObject
        case jsonSchema(name: String, schema: JSONValue)
    }

    struct Message: Sendable {
        var role: String
        var text: String
    }

    var model: String
    var messages: [Message]
    var n: Int
    var maxTokens: Int?
    var temperature: Double
    var logprobs: Bool
    var topLogprobs: Int
    var responseFormat: ResponseFormat
    var stop: [String]
    /// Every message's text, joined: what the judge reads and what "the prompt" means for hallucinations.
    let allText: String
    let promptTokens: Int

    init(_ json: JSONValue) throws(APIError) {
        let fields = try RequestFields(json)
        model = try fields.requiredString("model")
        guard let rawMessages = fields.value("messages") else {
            throw .invalidRequest("Missing required parameter: 'messages'.", param: "messages", code: "missing_required_parameter")
        }
        guard let array = rawMessages.arrayValue, !array.isEmpty else {
            throw .invalidRequest("Invalid 'messages': expected a non-empty array of messages.", param: "messages", code: "invalid_value")
        }
        messages = []
        for (index, raw) in array.enumerated() {
            guard let role = raw["role"]?.stringValue else {
                throw .invalidRequest(
                    "Invalid 'messages[\(index)]': expected an object with a string 'role'.", param: "messages[\(index)].role",
                    code: "invalid_type")
            }
            messages.append(Message(role: role, text: try Self.text(of: raw["content"], index: index)))
        }
        try fields.rejectStreaming()
        n = try fields.int("n", in: 1...128) ?? 1
        // max_completion_tokens is the newer name; either is accepted.
        let newerMaxTokens = try fields.int("max_completion_tokens", in: 1...1_000_000)
        let olderMaxTokens = try fields.int("max_tokens", in: 1...1_000_000)
        maxTokens = newerMaxTokens ?? olderMaxTokens
        temperature = try fields.double("temperature", in: 0...2) ?? 1
        logprobs = try fields.bool("logprobs") ?? false
        topLogprobs = try fields.int("top_logprobs", in: 0...20) ?? 0
        if topLogprobs > 0 && !logprobs {
            throw .invalidRequest("'top_logprobs' requires 'logprobs' to be true.", param: "top_logprobs", code: "invalid_value")
        }
        stop = try fields.stopSequences()
        responseFormat = try Self.responseFormat(fields.value("response_format"))
        allText = messages.map(\.text).joined(separator: "\n")
        promptTokens = TokenCounter.tokens(forWordCount: messages.reduce(0) { $0 + TokenCounter.wordCount($1.text) })
    }

    /// A message's text: a string, the text parts of a content array, or nothing.
    private static func text(of content: JSONValue?, index: Int) throws(APIError) -> String {
        switch content {
        case nil, .null?:
            return ""
        case .string(let text)?:
            return text
        case .array(let parts)?:
            return parts.compactMap { part in part.stringValue ?? part["text"]?.stringValue }.joined(separator: "\n")
        default:
            throw .invalidRequest(
                "Invalid 'messages[\(index)].content': expected a string or an array of content parts.",
                param: "messages[\(index)].content", code: "invalid_type")
        }
    }

    private static func responseFormat(_ value: JSONValue?) throws(APIError) -> ResponseFormat {
        guard let value else { return .text }
        switch value["type"]?.stringValue {
        case "text"?:
            return .text
        case "json_object"?:
            return .jsonObject
        case "json_schema"?:
            guard let schema = value["json_schema"]?["schema"], schema.objectValue != nil else {
                throw .invalidRequest(
                    "Missing required parameter: 'response_format.json_schema.schema' (a JSON Schema object).",
                    param: "response_format.json_schema.schema", code: "missing_required_parameter")
            }
            return .jsonSchema(name: value["json_schema"]?["name"]?.stringValue ?? "response", schema: schema)
        default:
            throw .invalidRequest(
                "Invalid 'response_format.type': expected 'text', 'json_object' or 'json_schema'.",
                param: "response_format.type", code: "invalid_value")
        }
    }

    /// Where generated words come from; see `GroundingSource`.
    var groundingText: String {
        let all = allText
        if let context = GroundingSource.taggedText("context", in: all) { return context }
        let user = messages.filter { $0.role == "user" }.map(\.text).joined(separator: "\n")
        return user.isEmpty ? all : user
    }

    var schema: JSONValue? {
        if case .jsonSchema(_, let schema) = responseFormat { return schema }
        return nil
    }
}
