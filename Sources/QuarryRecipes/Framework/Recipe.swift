import QuarryLLM
import QuarryQueue

/// A dataset recipe: what it reads from each record, what it can be tuned with, which endpoint roles
/// it calls, the typed task graph of a build, the handlers workers run, and the exporter that turns
/// finished tasks into data files.
///
/// Recipes never write SQL: graphs are stored with the build and expanded by the `Coordinator`, records
/// go through `RecordStore`, ancestors' outputs through `GraphContext`, exports through `ExportContext`.
public protocol Recipe: Sendable {
    /// The name specs use (`recipe: rag4rag`) and the build row records.
    var name: String { get }
    var summary: String { get }
    var parameters: [RecipeParameter] { get }
    var roles: [RecipeRole] { get }
    var inputFields: [RecipeInputField] { get }
    var prompts: [RecipePrompt] { get }
    /// The example spec shipped with Quarry, relative to the bundled `Examples` folder (its input path is
    /// relative to it): what `quarry demo --recipe NAME` runs.
    var exampleSpec: String { get }

    /// The task graph of a build with `parameters` (all filled and checked): counts and variants among
    /// them shape it, and it is stored with the build.
    func graph(parameters: RecipeParameters) -> RecipeGraph

    /// Checks what the generic parser cannot: how the build's parameters go together, and endpoints named
    /// in them (`endpoints` is nil when submit has no endpoints file to check against). Runs at submit, so a
    /// misspelt name is an error naming the spec's field instead of tasks that die or wait later.
    func check(_ spec: StoredBuildSpec, endpoints: EndpointRegistry?) throws(RecipeError)

    /// Registers a handler for every kind the graph can create.
    func register(into handlers: inout GraphHandlers)

    /// Writes the recipe's data files for a build (streaming its tasks) and says what the manifest
    /// should add about them.
    func export(_ context: ExportContext) async throws -> RecipeExportSummary
}

extension Recipe {
    public var exampleSpec: String { "\(name)/\(name).build.yaml" }

    public func check(_ spec: StoredBuildSpec, endpoints: EndpointRegistry?) throws(RecipeError) {}

    /// The graph with every parameter at its default.
    public var defaultGraph: RecipeGraph { graph(parameters: RecipeParameters(definitions: parameters)) }

    public func parameter(named name: String) -> RecipeParameter? { parameters.first { $0.name == name } }
    public func prompt(named name: String) -> RecipePrompt? { prompts.first { $0.name == name } }
}
