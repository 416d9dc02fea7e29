import QuarryJSON

extension EmbeddingResponse: JSONValueDecodable {
    public init(json: JSONValue, path: () -> String) throws(JSONShapeError) {
        let root = try json.objectMembers(at: path())
        model = root.optional("model")?.stringValue
        let elements = try root.required("data", at: path(), expected: "an array of embeddings").arrayElements(at: path() + ".data")
        var items: [Item] = []
        items.reserveCapacity(elements.count)
        for (position, element) in elements.enumerated() {
            func itemPath() -> String { "\(path()).data[\(position)]" }
            let fields = try element.objectMembers(at: itemPath())
            let index = try fields.required("index", at: itemPath(), expected: "an integer").int(at: itemPath() + ".index")
            let values = try fields.required("embedding", at: itemPath(), expected: "an array of numbers").arrayElements(at: itemPath() + ".embedding")
            var embedding: [Double] = []
            embedding.reserveCapacity(values.count)
            for (offset, value) in values.enumerated() {
                embedding.append(try value.double(at: "\(itemPath()).embedding[\(offset)]"))
            }
            items.append(Item(index: index, embedding: embedding))
        }
        data = items
        usage = try root.optional("usage").map { (value) throws(JSONShapeError) in try TokenUsage(json: value, path: { path() + ".usage" }) }
    }
}
