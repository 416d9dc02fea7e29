/// How an answer was generated: the two seeded arms, and `rag` for a regenerated answer in exports.
public enum Rag4RagArm: String, Sendable, Codable, CaseIterable {
    /// The generator sees only a topic hint, never the passage: the method's baseline.
    case zeroShot = "zero_shot"
    /// The generator sees the passage.
    case grounded
    /// Not seeded: the label of regenerated rows in exports.
    case rag

    /// The arms seeded per passage, in key order.
    public static let seeded: [Rag4RagArm] = [.grounded, .zeroShot]
}
