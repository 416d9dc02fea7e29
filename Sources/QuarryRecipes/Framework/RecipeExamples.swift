import Foundation

/// The example builds shipped with Quarry, one per recipe, used by `quarry demo [--recipe NAME]`.
public enum RecipeExamples {
    /// Path of `recipe`'s example spec, if the bundle has it.
    public static func specPath(for recipe: any Recipe) -> String? { specPath(relative: recipe.exampleSpec) }

    static func specPath(relative: String) -> String? {
        guard let folder = Bundle.module.url(forResource: "Examples", withExtension: nil) else { return nil }
        let path = folder.appendingPathComponent(relative).path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}
