/// The two verdicts verification writes in its output's `verdict` field (the graph's condition reads it).
public enum Rag4RagVerdict {
    public static let supported = "supported"
    public static let unsupported = "unsupported"
}
