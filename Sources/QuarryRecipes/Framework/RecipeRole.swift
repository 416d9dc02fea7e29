/// A part an endpoint plays in a recipe (`generator`, `judge`). Specs map each role to an endpoint name
/// from the endpoints file, so the same recipe can judge with a different model than it generates with.
public struct RecipeRole: Sendable, Equatable {
    public var name: String
    public var help: String

    public init(_ name: String, help: String) {
        self.name = name
        self.help = help
    }
}
