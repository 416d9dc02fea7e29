import Logging
import QuarryLLM
import QuarryPostgres
import QuarryQueue
import QuarryRecipes
import Testing

@Suite("RecipeCatalog")
struct RecipeCatalogTests {
    /// A service that is never called: registering handlers needs one, checking them does not.
    static func idleService() throws -> LLMService {
        let pool = PostgresPool(configuration: PostgresConfiguration(connectionString: "postgresql://nobody@127.0.0.1:1/none"), maxConnections: 1)
        let queue = TaskQueue(pool: pool, configuration: QueueConfiguration(schema: "unused"))
        let registry = try EndpointRegistry([Endpoint(name: "sim", baseURL: "http://127.0.0.1:1/v1", model: "m")], source: "(test)")
        return try LLMService(registry: registry, queue: queue, logger: Logger(label: "quarry.test"))
    }

    @Test("every kind of every shipped recipe's graph has a handler")
    func standardHandlersAreComplete() throws {
        var registry = HandlerRegistry()
        RecipeCatalog.registerHandlers(into: &registry, service: try Self.idleService())
        #expect(throws: Never.self) { try RecipeCatalog.standard.checkHandlers(in: registry) }
    }

    @Test("a registry missing a recipe's kinds is refused, naming the recipe and the kinds")
    func missingHandlersAreRefused() throws {
        let error = #expect(throws: RecipeError.self) { try RecipeCatalog.standard.checkHandlers(in: HandlerRegistry()) }
        #expect(error?.code == .missingHandler)
        // Recipes are checked in name order, so the first recipe named is the first of the catalog.
        #expect(error?.description.contains(RecipeCatalog.standard.names[0]) == true)
    }

    @Test("a coordinator's check: every shipped recipe registers a handler for every kind its graph creates")
    func registrationsAreComplete() {
        #expect(throws: Never.self) { try RecipeCatalog.standard.checkRegistrations() }
        for recipe in RecipeCatalog.standard.recipes {
            #expect(Set(recipe.defaultGraph.kinds).isSubset(of: RecipeCatalog.standard.handlers.kinds), "\(recipe.name)")
        }
    }

    @Test("a recipe whose graph creates a kind it registers no handler for is refused by name")
    func incompleteRecipeIsRefused() {
        struct Half: Recipe {
            static let first = TaskKind<Seed<[String: String]>, [String: Int]>("half.first", family: .generation)
            static let second = TaskKind<Follows<[String: Int]>, [String: Int]>("half.second", family: .verification)
            let name = "half"
            let summary = "registers one of its two kinds"
            let parameters: [RecipeParameter] = []
            let roles: [RecipeRole] = []
            let inputFields: [RecipeInputField] = []
            let prompts: [RecipePrompt] = []
            func graph(parameters: RecipeParameters) -> RecipeGraph {
                var graph = RecipeGraph()
                graph.seed(kind: Self.first)
                graph.then(from: Self.first, to: Self.second)
                return graph
            }
            func register(into handlers: inout GraphHandlers) {
                handlers.register(Self.first) { _, _ in Produced([:]) }
            }
            func export(_ context: ExportContext) async throws -> RecipeExportSummary { RecipeExportSummary() }
        }
        let error = #expect(throws: RecipeError.self) { try RecipeCatalog([Half()]).checkRegistrations() }
        #expect(error?.code == .missingHandler)
        #expect(error?.description.contains("half.second") == true)
    }
}
