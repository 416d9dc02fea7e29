import Foundation

extension PrereqTuneParameters {
    /// The typed view of a build's parameter values (defaults already filled in by the spec parser).
    public init(_ values: RecipeParameters) throws(RecipeError) {
        do {
            self = try values.decode(Self.self)
        } catch {
            throw RecipeError(.invalidValue, "prereq_tune parameters do not decode: \(error)", field: "parameters")
        }
    }

    /// Every parameter at its default.
    public static var defaults: PrereqTuneParameters {
        get throws(RecipeError) { try PrereqTuneParameters(RecipeParameters(definitions: definitions)) }
    }
}
