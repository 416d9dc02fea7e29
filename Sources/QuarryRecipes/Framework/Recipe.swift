import QuarryLLM
import QuarryQueue

/// A dataset recipe: what it reads from each record, what it can be tuned with, which endpoint roles
/// it calls, the task graph the coordinator expands, the handlers workers run, and the exporter that
/// turns finished tasks into data files.
///
/// Recipes never write SQL: graphs go to the `Coordinator`, records through `TaskQueue.loadRecords`,
/// retrieval through `TaskQueue.searchRecords`, exports through `TaskQueue.tasks(buildID:)`.
public protocol Recipe: Sendable {
    /// The name specs use (`recipe: rag4rag`) and the build row records.
    var name: String { get }
    var summary: String { get }
    var parameters: [RecipeParameter] { get }
    var roles: [RecipeRole] { get }
    var inputFields: [RecipeInputField] { get }
    var prompts: [RecipePrompt] { get }

    /// The task graph for a build with `parameters`.
    ///
    /// The `Coordinator` holds one graph per recipe name, so today it always expands the graph for the
    /// default parameters: a recipe's graph must not depend on parameters that builds override (rag4rag's
    /// does not; its parameters shape what handlers do).
    func graph(parameters: RecipeParameters) -> BuildGraph

    /// Registers a handler for every kind of the graph.
    func register(into registry: inout HandlerRegistry, service: LLMService, specs: BuildSpecStore)

    /// Writes the recipe's data files for a build (streaming its tasks) and says what the manifest
    /// should add about them.
    func export(_ context: ExportContext) async throws -> RecipeExportSummary
}

extension Recipe {
    /// The graph with every parameter at its default.
    public var defaultGraph: BuildGraph { graph(parameters: RecipeParameters(definitions: parameters)) }

    public func parameter(named name: String) -> RecipeParameter? { parameters.first { $0.name == name } }
    public func prompt(named name: String) -> RecipePrompt? { prompts.first { $0.name == name } }
}
