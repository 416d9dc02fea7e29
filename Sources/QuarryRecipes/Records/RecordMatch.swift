/// A retrieval hit.
public struct RecordMatch: Sendable, Equatable {
    public var line: Int
    public var position: Int
    public var json: String
    public var text: String
    public var rank: Double
}
