extension RecipeExportSummary {
    /// Adds `call` to the usage of `kind` and its model to its endpoint's.
    mutating func note(_ call: LLMCallRecord, kind: String) {
        usage[kind, default: UsageTotals()].add(call)
        if !(models[call.endpoint] ?? []).contains(call.model) { models[call.endpoint, default: []].append(call.model) }
    }
}
