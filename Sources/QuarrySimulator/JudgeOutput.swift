import QuarryJSON

/// Renders a `GroundingJudge.Verdict` into the shapes a caller may ask for (see `GroundingJudge`).
enum JudgeOutput {
    /// The `json_object` answer.
    static func object(for verdict: GroundingJudge.Verdict) -> JSONValue {
        .object([
            "supported": .bool(verdict.supported),
            "score": .double(verdict.score),
            "unsupported_words": .array(verdict.unsupportedWords.map(JSONValue.string)),
            "reason": .string(verdict.reason),
        ])
    }

    private static let positiveOptions: Set<String> = [
        "supported", "grounded", "yes", "true", "faithful", "pass", "passed", "correct", "entailed", "entailment",
        "consistent", "valid", "supports",
    ]
    private static let negativeMarkers = [
        "not", "unsupported", "ungrounded", "no", "false", "fail", "hallucinat", "contradict", "incorrect", "invalid",
        "inconsistent", "unfaithful", "refute",
    ]

    /// Fills judge-like fields of a schema with the verdict; other fields get normal generated values.
    static func override(for verdict: GroundingJudge.Verdict) -> SchemaInstanceGenerator.Override {
        { name, schema in
            let key = name.lowercased()
            let type = schema["type"]?.stringValue
            switch type {
            case "boolean":
                if isProfileField(key) { return .bool(!verdict.offTopicTags.isEmpty) }
                if GroundingJudge.verdictFieldNames.contains(key) { return .bool(verdict.supported) }
                if GroundingJudge.negatedFieldNames.contains(key) || GroundingJudge.contradictionFieldNames.contains(key) {
                    return .bool(!verdict.supported)
                }
                return nil
            case "number", "integer":
                guard ["score", "confidence", "support", "probability", "faithfulness", "groundedness"].contains(where: { key.contains($0) })
                else { return nil }
                return scaled(verdict.score, schema: schema, integer: type == "integer")
            case "string":
                if let options = schema["enum"]?.arrayValue?.compactMap(\.stringValue), !options.isEmpty {
                    guard ["verdict", "label", "judg", "decision", "classification", "result", "grounding", "support"].contains(where: { key.contains($0) })
                    else { return nil }
                    return option(options, supported: verdict.supported).map(JSONValue.string)
                }
                if ["reason", "explanation", "rationale", "justification", "analysis"].contains(where: { key.contains($0) }) {
                    return .string(verdict.reason)
                }
                if ["verdict", "label", "decision"].contains(where: { key.contains($0) }) {
                    return .string(verdict.supported ? "SUPPORTED" : "UNSUPPORTED")
                }
                return nil
            case "array":
                guard schema["items"]?["type"]?.stringValue == "string" else { return nil }
                if isProfileField(key) { return strings(verdict.offTopicTags, schema: schema) }
                // Claims that are wrong, as opposed to unsupported: the lexical judge finds facts missing from
                // the context, never wrong ones, so it names none.
                if ["wrong", "incorrect"].contains(where: { key.contains($0) }) { return strings([], schema: schema) }
                guard ["unsupported", "missing", "hallucinat", "unverified", "invented"].contains(where: { key.contains($0) }),
                    verdict.unsupportedWords.count >= (schema["minItems"]?.intValue ?? 0)
                else { return nil }
                return strings(verdict.unsupportedWords, schema: schema)
            default:
                return nil
            }
        }
    }

    /// Fields about the asker's profile being used off-topic (`off_topic_profile`, `off_topic_tags`).
    private static func isProfileField(_ key: String) -> Bool {
        ["off_topic", "offtopic", "profile"].contains { key.contains($0) }
    }

    /// `items` as a string array within the schema's item bounds; nil when it cannot meet `minItems`.
    private static func strings(_ items: [String], schema: JSONValue) -> JSONValue? {
        guard items.count >= (schema["minItems"]?.intValue ?? 0) else { return nil }
        return .array(items.prefix(schema["maxItems"]?.intValue ?? Int.max).map(JSONValue.string))
    }

    /// The enum option that means `supported` (or its opposite), if any does.
    private static func option(_ options: [String], supported: Bool) -> String? {
        let negative = options.filter { option in
            let lower = option.lowercased()
            return negativeMarkers.contains { lower.hasPrefix($0) || lower.contains("_" + $0) || lower.contains(" " + $0) || lower == $0 }
                || lower.hasPrefix("un")
        }
        let positive = options.filter { !negative.contains($0) && positiveOptions.contains($0.lowercased()) }
        return supported ? (positive.first ?? options.first { !negative.contains($0) }) : negative.first
    }

    /// The support fraction mapped onto the field's range (0...1 by default, 0...100 for integers).
    private static func scaled(_ score: Double, schema: JSONValue, integer: Bool) -> JSONValue {
        let low = schema["minimum"]?.doubleValue ?? 0
        let high = schema["maximum"]?.doubleValue ?? (integer ? 100 : 1)
        let value = low + (high - low) * score
        if integer { return .int(Int(value.rounded())) }
        return .double((value * 1000).rounded() / 1000)
    }
}
