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
    /// Generates the answer; called at most once, after the limiter and fault checks passed.
    var produce: () -> EndpointOutput
}
