import QuarryLLM

/// A build's spec as stored in its row (`builds.spec`): everything a worker or exporter needs, resolved
/// at submit — parameters with defaults, endpoint names per role, and the full text of every prompt —
/// so workers on other machines need no files and a newer binary does not change a running build.
/// Holds no secrets: endpoints are referred to by name; keys stay in the workers' environment.
public struct StoredBuildSpec: Sendable, Equatable, Codable {
    public struct Input: Sendable, Equatable, Codable {
        public var path: String
        public var format: InputFormat
        /// Recipe field → record field.
        public var fields: [String: String]
        public var maxRecordBytes: Int

        enum CodingKeys: String, CodingKey {
            case path, format, fields
            case maxRecordBytes = "max_record_bytes"
        }

        public init(path: String, format: InputFormat, fields: [String: String], maxRecordBytes: Int) {
            self.path = path
            self.format = format
            self.fields = fields
            self.maxRecordBytes = maxRecordBytes
        }
    }

    public static let currentFormat = 1

    public var format: Int
    public var name: String
    public var recipe: String
    public var specFile: String
    public var input: Input
    /// Role → endpoint name.
    public var endpoints: [String: String]
    public var parameters: RecipeParameters
    /// Prompt name → template (with its version).
    public var prompts: [String: PromptTemplate]
    /// Sent with every generation request, so reruns ask for the same samples.
    public var seed: Int?
    /// Read by the LLM layer from the stored spec (`no_cache`): skip the response cache for this build.
    public var noCache: Bool
    public var budgetUSD: Double?
    /// Dead ÷ (completed + dead) above which the drained build is `failed`; nil: the default (0.2).
    public var maxDeadFraction: Double?

    enum CodingKeys: String, CodingKey {
        case format, name, recipe, input, endpoints, parameters, prompts, seed
        case specFile = "spec_file"
        case noCache = "no_cache"
        case budgetUSD = "budget_usd"
        case maxDeadFraction = "max_dead_fraction"
    }

    public init(
        name: String, recipe: String, specFile: String, input: Input, endpoints: [String: String], parameters: RecipeParameters,
        prompts: [String: PromptTemplate], seed: Int?, noCache: Bool, budgetUSD: Double?
    ) {
        self.format = Self.currentFormat
        self.name = name
        self.recipe = recipe
        self.specFile = specFile
        self.input = input
        self.endpoints = endpoints
        self.parameters = parameters
        self.prompts = prompts
        self.seed = seed
        self.noCache = noCache
        self.budgetUSD = budgetUSD
    }

    /// The endpoint for `role`; submit checked every role is mapped, so a miss means a hand-edited spec.
    public func endpoint(for role: String) throws(RecipeError) -> String {
        guard let name = endpoints[role] else {
            throw RecipeError(.missingRole, "build '\(name)' maps no endpoint to role '\(role)'", field: "endpoints.\(role)")
        }
        return name
    }

    public func prompt(_ name: String) throws(RecipeError) -> PromptTemplate {
        guard let prompt = prompts[name] else {
            throw RecipeError(.unknownPrompt, "build '\(self.name)' has no prompt '\(name)' in its spec", field: "prompts.\(name)")
        }
        return prompt
    }

    /// Prompt name → version, for manifests.
    public var promptVersions: [String: String] { prompts.mapValues(\.version) }
}
