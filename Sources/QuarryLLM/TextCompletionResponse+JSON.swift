import QuarryJSON

extension TextCompletionResponse: JSONValueDecodable {
    public init(json: JSONValue, path: () -> String) throws(JSONShapeError) {
        let root = try json.objectMembers(at: path())
        model = root.optional("model")?.stringValue
        choices = try root.requiredArray("choices", at: path, expected: "an array of choices")
        usage = try root.optionalDecoded("usage", at: path)
    }
}

extension TextCompletionResponse.Choice: JSONValueDecodable {
    public init(json: JSONValue, path: () -> String) throws(JSONShapeError) {
        let members = try json.objectMembers(at: path())
        index = try members.optional("index")?.int(at: path() + ".index")
        text = try members.required("text", at: path(), expected: "a string").string(at: path() + ".text")
        finishReason = try members.optional("finish_reason")?.string(at: path() + ".finish_reason")
        logprobs = try members.optionalDecoded("logprobs", at: path)
    }
}

extension TextCompletionResponse.Choice.Logprobs: JSONValueDecodable {
    public init(json: JSONValue, path: () -> String) throws(JSONShapeError) {
        let members = try json.objectMembers(at: path())
        let tokenValues = try members.required("tokens", at: path(), expected: "an array of strings").arrayElements(at: path() + ".tokens")
        var tokens: [String] = []
        tokens.reserveCapacity(tokenValues.count)
        for (index, value) in tokenValues.enumerated() {
            tokens.append(try value.string(at: "\(path()).tokens[\(index)]"))
        }
        let logprobValues = try members.required("token_logprobs", at: path(), expected: "an array of numbers")
            .arrayElements(at: path() + ".token_logprobs")
        var logprobs: [Double?] = []
        logprobs.reserveCapacity(logprobValues.count)
        for (index, value) in logprobValues.enumerated() {
            logprobs.append(value.isNull ? nil : try value.double(at: "\(path()).token_logprobs[\(index)]"))
        }
        // Offsets only refine how scorers find a span of the prompt (tokens concatenate back to it anyway),
        // so a server that sends them in another shape is read as sending none.
        let offsets = members.optional("text_offset")?.arrayValue.flatMap { values -> [Int]? in
            let ints = values.compactMap(\.intValue)
            return ints.count == values.count ? ints : nil
        }
        self.tokens = tokens
        self.tokenLogprobs = logprobs
        self.textOffsets = offsets
    }
}
