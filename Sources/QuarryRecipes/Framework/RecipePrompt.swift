/// A prompt a recipe renders: the placeholders it supplies when rendering, and those any template
/// (bundled or a per-build override) must use, so an override cannot silently drop the passage.
public struct RecipePrompt: Sendable, Equatable {
    public var name: String
    public var supplies: Set<String>
    public var requires: Set<String>

    public init(_ name: String, supplies: Set<String>, requires: Set<String>) {
        self.name = name
        self.supplies = supplies
        self.requires = requires
    }
}
