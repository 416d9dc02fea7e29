extension RecipeExportSummary {
    /// Counts `call` in the usage of `kind` and notes the model that answered it at its endpoint.
    public mutating func note(_ call: LLMCallRecord, kind: String) {
        usage[kind, default: UsageTotals()].add(call)
        if !(models[call.endpoint] ?? []).contains(call.model) { models[call.endpoint, default: []].append(call.model) }
    }
}
