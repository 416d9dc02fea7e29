/// What a typed handler returns: its output and the version of the prompt that produced it (nil for
/// code-only kinds).
public struct Produced<Output: Codable & Sendable>: Sendable {
    public var output: Output
    public var promptVersion: String?

    public init(_ output: Output, promptVersion: String? = nil) {
        self.output = output
        self.promptVersion = promptVersion
    }
}
