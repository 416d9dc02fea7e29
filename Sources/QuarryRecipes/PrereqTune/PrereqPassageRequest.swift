/// What a passage task gets (one element of a verification's `passages`): a verified version's
/// statements to paraphrase.
public struct PrereqPassageRequest: Sendable, Equatable, Codable {
    public var version: Int
    public var name: String
    public var statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}
