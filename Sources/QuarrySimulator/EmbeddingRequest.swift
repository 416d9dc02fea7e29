import QuarryJSON

/// A validated `POST /v1/embeddings` body.
struct EmbeddingRequest: Sendable {
    var model: String
    var inputs: [String]
    var dimensions: Int?
    var base64: Bool

    init(_ json: JSONValue) throws(APIError) {
        let fields = try RequestFields(json)
        model = try fields.requiredString("model")
        guard let input = fields.value("input") else {
            throw .invalidRequest("Missing required parameter: 'input'.", param: "input", code: "missing_required_parameter")
        }
        inputs = try Self.inputs(input)
        dimensions = try fields.int("dimensions", in: 1...8192)
        switch fields.value("encoding_format")?.stringValue {
        case nil, "float"?: base64 = false
        case "base64"?: base64 = true
        default:
            throw .invalidRequest("Invalid 'encoding_format': expected 'float' or 'base64'.", param: "encoding_format", code: "invalid_value")
        }
    }

    private static func inputs(_ value: JSONValue) throws(APIError) -> [String] {
        let invalid = APIError.invalidRequest(
            "Invalid 'input': expected a non-empty string, an array of non-empty strings, or token arrays.",
            param: "input", code: "invalid_value")
        var result: [String] = []
        switch value {
        case .string(let text):
            result = [text]
        case .array(let items) where !items.isEmpty:
            if items.allSatisfy({ $0.intValue != nil }) {
                result = [items.compactMap(\.intValue).map(String.init).joined(separator: " ")]
            } else {
                for item in items {
                    if let text = item.stringValue {
                        result.append(text)
                    } else if let tokens = item.arrayValue, !tokens.isEmpty, tokens.allSatisfy({ $0.intValue != nil }) {
                        result.append(tokens.compactMap(\.intValue).map(String.init).joined(separator: " "))
                    } else {
                        throw invalid
                    }
                }
            }
        default:
            throw invalid
        }
        // OpenAI refuses empty strings; a zero vector could not be a unit vector anyway.
        guard result.allSatisfy({ TokenCounter.wordCount($0) > 0 }) else { throw invalid }
        return result
    }

    var promptTokens: Int {
        inputs.reduce(0) { $0 + TokenCounter.tokens(in: $1) }
    }

    /// The `list` of `embedding` objects.
    func generate(defaultDimensions: Int) -> EndpointOutput {
        let size = dimensions ?? defaultDimensions
        var data: [JSONValue] = []
        for (index, input) in inputs.enumerated() {
            // Inputs with words but none alphanumeric (e.g. "!!!") still need a direction: hash the raw text.
            let vector = EmbeddingModel.embed(input, dimensions: size)
                ?? EmbeddingModel.embed("\(FNV1a.hash(input))", dimensions: size) ?? []
            let embedding: JSONValue =
                base64 ? .string(EmbeddingModel.base64(vector)) : .array(vector.map { .double(Double($0)) })
            data.append(.object(["object": .string("embedding"), "index": .int(index), "embedding": embedding]))
        }
        let tokens = promptTokens
        let body: JSONValue = .object([
            "object": .string("list"),
            "data": .array(data),
            "model": .string(model),
            "usage": .object(["prompt_tokens": .int(tokens), "total_tokens": .int(tokens)]),
        ])
        return EndpointOutput(body: body, promptTokens: tokens, completionTokens: 0, hallucinated: nil)
    }
}
