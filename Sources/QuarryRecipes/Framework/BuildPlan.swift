/// A build spec that passed every check, ready to submit: its stored form and its recipe.
public struct BuildPlan: Sendable {
    public var spec: StoredBuildSpec
    public var recipe: any Recipe

    public init(spec: StoredBuildSpec, recipe: any Recipe) {
        self.spec = spec
        self.recipe = recipe
    }
}
