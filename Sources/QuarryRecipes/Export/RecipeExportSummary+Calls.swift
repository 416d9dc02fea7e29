extension RecipeExportSummary {
    /// Counts one endpoint call of a `kind` task: its usage, and its model under its endpoint.
    public mutating func note(_ call: LLMCallRecord, kind: String) {
        usage[kind, default: UsageTotals()].add(call)
        if !(models[call.endpoint] ?? []).contains(call.model) { models[call.endpoint, default: []].append(call.model) }
    }
}
