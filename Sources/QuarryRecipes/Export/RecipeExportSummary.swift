/// What a recipe's exporter tells the manifest beyond the files it wrote.
public struct RecipeExportSummary: Sendable, Equatable {
    /// Endpoint usage by task kind.
    public var usage: [String: UsageTotals]
    /// Models that answered, by endpoint.
    public var models: [String: [String]]

    public init(usage: [String: UsageTotals] = [:], models: [String: [String]] = [:]) {
        self.usage = usage
        self.models = models
    }
}
