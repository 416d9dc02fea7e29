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
}
