import QuarryJSON

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
