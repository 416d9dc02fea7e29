import QuarryQueue

/// One child of a join's parent, as the join's handler reads it.
public struct ChildResult<Output: Codable & Sendable>: Sendable {
    public var taskID: Int
    public var key: String
    /// The child's index among its siblings of its kind (from its payload; 1 for a lone child).
    public var index: Int
    public var state: TaskState
    /// The output, when the child completed.
    public var output: Output?
    /// Why it failed, when it is dead.
    public var error: String?

    public var failed: Bool { state == .dead || state == .cancelled }
}
