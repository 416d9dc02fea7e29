/// One input row of a build.
public struct BuildRecord: Sendable, Equatable {
    /// The line the record starts on (for people; several elements of a JSON array can share one).
    public var line: Int
    /// The record's position in the input, from 1 (rejects counted): what identifies it.
    public var position: Int
    /// The record as JSON text.
    public var json: String
    /// The passage text retrieval searches over, if any.
    public var text: String?

    public init(line: Int, position: Int? = nil, json: String, text: String?) {
        self.line = line
        self.position = position ?? line
        self.json = json
        self.text = text
    }
}
