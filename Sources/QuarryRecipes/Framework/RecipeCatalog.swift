import QuarryLLM
import QuarryQueue

/// The recipes a Quarry binary knows, by name.
public struct RecipeCatalog: Sendable {
    public let recipes: [any Recipe]

    public init(_ recipes: [any Recipe]) {
        self.recipes = recipes
    }

    /// Every recipe shipped with Quarry.
    public static let standard = RecipeCatalog([Rag4RagRecipe(), KnowTuningRecipe(), PersonalizedQARecipe(), PrereqTuneRecipe()])

    public var names: [String] { recipes.map(\.name).sorted() }

    /// The recipe called `name`, or an error listing the known ones.
    public func recipe(named name: String, file: String? = nil, line: Int? = nil) throws(RecipeError) -> any Recipe {
        guard let recipe = recipes.first(where: { $0.name == name }) else {
            throw RecipeError(.unknownRecipe, "unknown recipe '\(name)'; known: \(names.joined(separator: ", "))", file: file, line: line, field: "recipe")
        }
        return recipe
    }

    /// Registers every recipe's handlers. Workers call this once with their `LLMService`; the handlers
    /// read each build's spec (endpoints, parameters, prompts) through the worker's queue
    /// (`TaskContext.queue`) and keep it for the life of the process (specs never change).
    public func registerHandlers(into registry: inout HandlerRegistry, service: LLMService) {
        handlers.install(into: &registry, service: service)
    }

    /// Every recipe's handlers, registered (no service or database needed).
    public var handlers: GraphHandlers {
        var handlers = GraphHandlers()
        for recipe in recipes { recipe.register(into: &handlers) }
        return handlers
    }

    /// For a coordinator, which runs no handlers: refuses a catalog in which some recipe's graph creates a
    /// kind that recipe registers no handler for (its tasks would wait forever).
    public func checkRegistrations() throws(RecipeError) {
        var registry = HandlerRegistry()
        for kind in handlers.kinds { registry.register(kind, UnrunnableHandler()) }
        try checkHandlers(in: registry)
    }

    /// Refuses a registry that lacks a handler for some kind a recipe's graph creates: such tasks would
    /// wait forever (no worker claims them), so a worker or coordinator checks this before it starts.
    public func checkHandlers(in registry: HandlerRegistry) throws(RecipeError) {
        let known = Set(registry.kinds)
        for recipe in recipes.sorted(by: { $0.name < $1.name }) {
            let missing = recipe.defaultGraph.kinds.filter { !known.contains($0) }
            if !missing.isEmpty {
                throw RecipeError(
                    .missingHandler, "recipe '\(recipe.name)' creates tasks of kind \(missing.joined(separator: ", ")) but no handler is registered for them")
            }
        }
    }

    /// `RecipeCatalog.standard.registerHandlers(into:service:)`.
    public static func registerHandlers(into registry: inout HandlerRegistry, service: LLMService) {
        standard.registerHandlers(into: &registry, service: service)
    }
}

/// Stands for a registered handler in `checkRegistrations`, which only compares kinds.
private struct UnrunnableHandler: TaskHandler {
    func handle(_ task: ClaimedTask, context: TaskContext) async throws -> TaskOutput {
        throw TaskError.permanent("not_runnable", "this process only checks registrations; it runs no tasks")
    }
}
