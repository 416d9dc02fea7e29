import QuarryJSON

extension EmbeddingResponse: JSONValueDecodable {
    public init(json: JSONValue, path: () -> String) throws(JSONShapeError) {
        let root = try json.objectMembers(at: path())
        model = root.optional("model")?.stringValue
        data = try root.requiredArray("data", at: path, expected: "an array of embeddings")
        usage = try root.optionalDecoded("usage", at: path)
    }
}

extension EmbeddingResponse.Item: JSONValueDecodable {
    public init(json: JSONValue, path: () -> String) throws(JSONShapeError) {
        let fields = try json.objectMembers(at: path())
        index = try fields.required("index", at: path(), expected: "an integer").int(at: path() + ".index")
        let values = try fields.required("embedding", at: path(), expected: "an array of numbers").arrayElements(at: path() + ".embedding")
        var embedding: [Double] = []
        embedding.reserveCapacity(values.count)
        for (offset, value) in values.enumerated() {
            embedding.append(try value.double(at: "\(path()).embedding[\(offset)]"))
        }
        self.embedding = embedding
    }
}
