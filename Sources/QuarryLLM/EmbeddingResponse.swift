/// The `/embeddings` response body (float encoding).
public struct EmbeddingResponse: Sendable, Decodable {
    public struct Item: Sendable, Decodable {
        public var index: Int
        public var embedding: [Double]
    }

    public var model: String?
    public var data: [Item]
    public var usage: TokenUsage?
}
