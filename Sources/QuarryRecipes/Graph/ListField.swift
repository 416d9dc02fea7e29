/// A top-level list field of an output type, named for the graph: `forEach` fans out over it, and the
/// types say what each child receives (`ListField<Facts, String>("facts")`).
public struct ListField<Output: Codable & Sendable, Item: Codable & Sendable>: Sendable {
    public let name: String

    public init(_ name: String) {
        self.name = name
    }
}
