import QuarryJSON

extension TokenUsage: JSONValueDecodable {
    public init(json: JSONValue, path: () -> String) throws(JSONShapeError) {
        let members = try json.objectMembers(at: path())
        promptTokens = try members.optional("prompt_tokens")?.int(at: path() + ".prompt_tokens") ?? 0
        completionTokens = try members.optional("completion_tokens")?.int(at: path() + ".completion_tokens") ?? 0
    }
}
