import QuarryJSON

/// Hand-written reading of the chat answer, as lenient as the `Decodable` one about optional fields: this runs
/// once per request, and `JSONDecoder` was an eighth of the client's CPU (see `JSONParser`).
extension ChatCompletionResponse: JSONValueDecodable {
    public init(json: JSONValue, path: () -> String) throws(JSONShapeError) {
        let root = try json.objectMembers(at: path())
        id = root.optional("id")?.stringValue
        model = root.optional("model")?.stringValue
        let elements = try root.required("choices", at: path(), expected: "an array of choices").arrayElements(at: path() + ".choices")
        var choices: [Choice] = []
        choices.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            choices.append(try Choice(json: element, path: { "\(path()).choices[\(index)]" }))
        }
        self.choices = choices
        usage = try root.optional("usage").map { (value) throws(JSONShapeError) in try TokenUsage(json: value, path: { path() + ".usage" }) }
    }
}

extension ChatCompletionResponse.Choice: JSONValueDecodable {
    public init(json: JSONValue, path: () -> String) throws(JSONShapeError) {
        let members = try json.objectMembers(at: path())
        index = try members.optional("index")?.int(at: path() + ".index") ?? 0
        message = try Message(json: members.required("message", at: path(), expected: "a message object"), path: { path() + ".message" })
        finishReason = try members.optional("finish_reason")?.string(at: path() + ".finish_reason")
        logprobs = try members.optional("logprobs").map { (value) throws(JSONShapeError) in
            try ChatCompletionResponse.ChatLogprobs(json: value, path: { path() + ".logprobs" })
        }
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
