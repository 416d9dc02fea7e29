import QuarryJSON

/// Hand-written reading of the chat answer (lenient about optional fields, strict about their types): this runs
/// once per request, and `JSONDecoder` was an eighth of the client's CPU (see `JSONParser`).
extension ChatCompletionResponse: JSONValueDecodable {
    public init(json: JSONValue, path: () -> String) throws(JSONShapeError) {
        let root = try json.objectMembers(at: path())
        id = root.optional("id")?.stringValue
        model = root.optional("model")?.stringValue
        choices = try root.requiredArray("choices", at: path, expected: "an array of choices")
        usage = try root.optionalDecoded("usage", at: path)
    }
}

extension ChatCompletionResponse.Choice: JSONValueDecodable {
    public init(json: JSONValue, path: () -> String) throws(JSONShapeError) {
        let members = try json.objectMembers(at: path())
        index = try members.optional("index")?.int(at: path() + ".index") ?? 0
        message = try Message(json: members.required("message", at: path(), expected: "a message object"), path: { path() + ".message" })
        finishReason = try members.optional("finish_reason")?.string(at: path() + ".finish_reason")
        logprobs = try members.optionalDecoded("logprobs", at: path)
    }
}

extension ChatCompletionResponse.Choice.Message: JSONValueDecodable {
    public init(json: JSONValue, path: () -> String) throws(JSONShapeError) {
        let members = try json.objectMembers(at: path())
        role = try members.optional("role")?.string(at: path() + ".role")
        content = try members.optional("content")?.string(at: path() + ".content")
        refusal = try members.optional("refusal")?.string(at: path() + ".refusal")
    }
}

extension ChatCompletionResponse.ChatLogprobs: JSONValueDecodable {
    public init(json: JSONValue, path: () -> String) throws(JSONShapeError) {
        let members = try json.objectMembers(at: path())
        guard let list = members.optional("content") else {
            content = nil
            return
        }
        let elements = try list.arrayElements(at: path() + ".content")
        var entries: [Entry] = []
        entries.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            func entryPath() -> String { "\(path()).content[\(index)]" }
            let fields = try element.objectMembers(at: entryPath())
            entries.append(
                Entry(
                    token: try fields.required("token", at: entryPath(), expected: "a string").string(at: entryPath() + ".token"),
                    logprob: try fields.required("logprob", at: entryPath(), expected: "a number").double(at: entryPath() + ".logprob")))
        }
        content = entries
    }
}
