/// The payload of a join task: created once every child of the joined kinds of its parent (whose output
/// is `ParentOutput`) has finished, even when there were none. The children's outputs are read through
/// `GraphContext.children(_:)`.
public struct Joined<ParentOutput: Codable & Sendable>: Codable, Sendable {
    public var parentTask: Int
    /// Children of the joined kinds that finished (completed, dead or cancelled).
    public var finished: Int
    /// Of those, the ones that did not complete.
    public var failed: Int

    enum CodingKeys: String, CodingKey {
        case parentTask = "parent_task"
        case finished, failed
    }
}
