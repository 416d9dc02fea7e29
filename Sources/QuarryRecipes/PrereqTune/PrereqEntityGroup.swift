/// Everything a build holds about one seed, as the exporter reads it: the entity task's outcome, the
/// deepest verification of its version group, and the passages of its verified versions.
public struct PrereqEntityGroup<Content: PrereqVersionContent>: Sendable {
    public var position: Int
    public var seed: String
    /// Nil when the entity task did not complete.
    public var entity: PrereqEntity?
    /// The deepest verification that completed, nil when none did.
    public var verification: PrereqVerification<Content>?
    /// Passages by version.
    public var passages: [Int: PrereqPassage]

    public init(position: Int, seed: String, entity: PrereqEntity?, verification: PrereqVerification<Content>?, passages: [Int: PrereqPassage]) {
        self.position = position
        self.seed = seed
        self.entity = entity
        self.verification = verification
        self.passages = passages
    }
}
