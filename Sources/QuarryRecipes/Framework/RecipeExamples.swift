import Foundation

/// The example build shipped with Quarry (60 passages and a rag4rag spec), used by `quarry demo`.
public enum RecipeExamples {
    /// Path of the bundled demo build spec (its input path is relative to it).
    public static var demoSpecPath: String? {
        Bundle.module.url(forResource: "Examples", withExtension: nil)?.appendingPathComponent("demo.build.yaml").path
    }
}
