import QuarryJSON

extension LLMService {
    /// Scores `prompt` token by token through `/completions` with `echo` and `logprobs` (nothing generated),
    /// for perplexity filters. Cached like every call.
    public func completionLogprobs(prompt: String, endpoint name: String, build: Int, kind: String) async throws -> LogprobsResult {
        let model = try runtime(name).endpoint.model
        let body: JSONValue = [
            "model": .string(model), "prompt": .string(prompt), "max_tokens": 0, "echo": true, "logprobs": 0, "temperature": 0,
        ]
        let answer = try await onHTTPDriver {
            try await cachedCall(
                TextCompletionResponse.self, path: "/completions", body: body, endpoint: name, build: build, kind: kind, sample: 0,
                estimatedTokens: prompt.utf8.count / 4 + 1, accept: { $0.choices.first?.logprobs != nil })
        }
        guard let logprobs = answer.response.choices.first?.logprobs else {
            // `accept` keeps answers without log-probs out of the cache, but the endpoint may still send one.
            throw LLMError(
                code: .invalidOutput, endpoint: name,
                message: "the endpoint answered /completions without logprobs; it must support echo + logprobs (vLLM, llama.cpp)")
        }
        return LogprobsResult(
            tokens: logprobs.tokens, tokenLogprobs: logprobs.tokenLogprobs, textOffsets: logprobs.textOffsets, model: answer.response.model ?? model,
            usage: answer.usage, cached: answer.cached)
    }

    /// Embeds `inputs` (one vector each, in order) through `/embeddings`. Cached like every call.
    public func embeddings(_ inputs: [String], endpoint name: String, build: Int, kind: String, dimensions: Int? = nil) async throws
        -> EmbeddingsResult
    {
        let model = try runtime(name).endpoint.model
        var fields: [String: JSONValue] = [
            "model": .string(model), "input": .array(inputs.map(JSONValue.string)), "encoding_format": "float",
        ]
        if let dimensions { fields["dimensions"] = .int(dimensions) }
        let answer = try await onHTTPDriver {
            try await cachedCall(
                EmbeddingResponse.self, path: "/embeddings", body: .object(fields), endpoint: name, build: build, kind: kind, sample: 0,
                estimatedTokens: inputs.reduce(0) { $0 + $1.utf8.count / 4 + 1 }, accept: { $0.data.count == inputs.count })
        }
        let vectors = answer.response.data.sorted { $0.index < $1.index }.map(\.embedding)
        return EmbeddingsResult(vectors: vectors, model: answer.response.model ?? model, usage: answer.usage, cached: answer.cached)
    }
}
