/// A rejected input row and why.
public struct RejectedRecord: Sendable, Equatable {
    public var line: Int
    /// The record's position in the input, from 1.
    public var position: Int
    public var reason: String
    public var excerpt: String

    public init(line: Int, position: Int? = nil, reason: String, excerpt: String) {
        self.line = line
        self.position = position ?? line
        self.reason = reason
        self.excerpt = excerpt
    }
}
