/// The output of a version group's verification (`prereq.verify` and each `prereq.reverify` level):
/// every version's current content and verdict, which versions to regenerate, which passed now.
///
/// Its list fields drive the graph: `failed` fans out to regenerations, `passages` to passage tasks.
/// Each level carries the whole group, so the deepest verification of an entity is all its export needs.
public struct PrereqVerification<Content: Sendable & Equatable & Codable>: Sendable, Equatable, Codable {
    /// One version's state after this level.
    public struct Entry: Sendable, Equatable, Codable {
        public var version: Int
        public var passed: Bool
        /// Why it failed (empty when it passed).
        public var reasons: [PrereqCheck.Reason]
        /// Nil when its generation failed (the task died).
        public var content: Content?

        public init(version: Int, passed: Bool, reasons: [PrereqCheck.Reason], content: Content?) {
            self.version = version
            self.passed = passed
            self.reasons = reasons
            self.content = content
        }
    }

    /// 0 for `prereq.verify`, n for the n-th `prereq.reverify`.
    public var level: Int
    /// Every version, by version number.
    public var entries: [Entry]
    /// Versions that failed at this level: regenerated while `level < max_regenerations`.
    public var failed: [PrereqRegeneration]
    /// Versions that passed at this level and not before.
    public var passedNow: [Int]
    /// What the passage of each version in `passedNow` is written from (top-down only).
    public var passages: [PrereqPassageRequest]
    /// Every version passed.
    public var complete: Bool
    /// Judge calls made at this level.
    public var calls: [LLMCallRecord]

    enum CodingKeys: String, CodingKey {
        case level, entries, failed, complete, calls, passages
        case passedNow = "passed_now"
    }

    public init(
        level: Int, entries: [Entry], failed: [PrereqRegeneration], passedNow: [Int], passages: [PrereqPassageRequest], complete: Bool,
        calls: [LLMCallRecord]
    ) {
        self.level = level
        self.entries = entries
        self.failed = failed
        self.passedNow = passedNow
        self.passages = passages
        self.complete = complete
        self.calls = calls
    }

    public func entry(_ version: Int) -> Entry? { entries.first { $0.version == version } }
}
