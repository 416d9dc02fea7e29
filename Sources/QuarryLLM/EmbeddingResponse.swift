/// The `/embeddings` response body (float encoding).
public struct EmbeddingResponse: Sendable {
    public struct Item: Sendable {
        public var index: Int
        public var embedding: [Double]
    }

    public var model: String?
    public var data: [Item]
    public var usage: TokenUsage?
}
