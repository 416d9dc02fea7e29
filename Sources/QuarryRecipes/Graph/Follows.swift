/// The payload of a task created by `then` or `repeat` from a parent whose output is `ParentOutput`: a
/// reference, not a copy (`GraphContext.output(of:)` reads the parent's output).
public struct Follows<ParentOutput: Codable & Sendable>: Codable, Sendable {
    public var parentTask: Int
    /// 1 for `then`; 1…n for `repeat`.
    public var index: Int

    enum CodingKeys: String, CodingKey {
        case parentTask = "parent_task"
        case index
    }
}
