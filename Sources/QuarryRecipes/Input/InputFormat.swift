/// How an input file holds its records.
public enum InputFormat: String, Sendable, Codable, CaseIterable {
    /// One JSON object per line.
    case jsonl
    /// One JSON array of objects (pretty-printed or not).
    case json

    /// The format implied by a file name, if any.
    public static func implied(by path: String) -> InputFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonl }
        if lower.hasSuffix(".json") { return .json }
        return nil
    }
}
