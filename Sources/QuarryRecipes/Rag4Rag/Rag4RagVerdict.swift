/// What verification decides about an answer (its output's `verdict` field, which the graph's
/// condition for regeneration reads).
public enum Rag4RagVerdict: String, Sendable, Codable, CaseIterable {
    case supported
    case unsupported
}
