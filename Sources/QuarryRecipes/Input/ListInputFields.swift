/// A recipe some of whose input fields are lists of short strings (an asker's tags). `RecordMapper`
/// accepts, for those fields only, a JSON array of strings or numbers (kept as an array of strings) as
/// well as a single string (kept as it is, for the recipe to split); every other field stays a string or
/// number, so a list where a recipe expects text is still a reject at load.
public protocol ListInputFields {
    /// Recipe field names (as in `inputFields`) that may hold lists.
    var listInputFields: Set<String> { get }
}
