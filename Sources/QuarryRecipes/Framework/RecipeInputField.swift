/// A field a recipe reads from each input record, under the recipe's own name. Specs map it to the
/// record's field (`passage: output`); unmapped fields are looked up under their own name.
public struct RecipeInputField: Sendable, Equatable {
    public var name: String
    /// A record without it is rejected (with its line) instead of loaded.
    public var required: Bool
    /// This field is the text full-text retrieval searches (`RecordStore.search`).
    public var retrievable: Bool
    public var help: String

    public init(_ name: String, required: Bool, retrievable: Bool = false, help: String) {
        self.name = name
        self.required = required
        self.retrievable = retrievable
        self.help = help
    }
}
