import QuarryJSON

extension GenerationEnvironment {
    /// The body OpenAI wraps around every completion's choices: id, object type, timestamps, model,
    /// fingerprint and token usage. Chat and text completions differ only in `object` and the choices.
    func completionEnvelope(id: String, object: String, model: String, choices: [JSONValue], promptTokens: Int, completionTokens: Int) -> JSONValue {
        .object([
            "id": .string(id),
            "object": .string(object),
            "created": .int(created),
            "model": .string(model),
            "system_fingerprint": .string(systemFingerprint),
            "choices": .array(choices),
            "usage": .object([
                "prompt_tokens": .int(promptTokens),
                "completion_tokens": .int(completionTokens),
                "total_tokens": .int(promptTokens + completionTokens),
            ]),
        ])
    }
}
