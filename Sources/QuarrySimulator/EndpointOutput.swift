/// A generated API response and the facts the pipeline records about it.
struct EndpointOutput: Sendable {
    var body: JSONValue
    var promptTokens: Int
    var completionTokens: Int
    /// Ground truth for `x-sim-hallucinated`; nil for endpoints without generated text.
    var hallucinated: Bool?
    var judge: Bool = false
    var completionID: String?
}

/// A request that passed validation: what the limiter charges and how to produce the answer.
struct PreparedRequest {
    var model: String
    var promptTokens: Int
    /// Tokens charged against `tpm`: prompt plus requested completion budget.
    var tokenCost: Int
    /// Prompt plus requested completion tokens, checked against `contextWindowTokens`.
    var contextTokens: Int
    /// The request field blamed when the context window is exceeded.
    var contextParam: String
    var produce: () -> EndpointOutput
}
