/// The payload of a task created by `forEach`: one element of its parent's list, and where it was.
public struct EachElement<Item: Codable & Sendable>: Codable, Sendable {
    public var parentTask: Int
    /// The element's position in the list, from 1.
    public var index: Int
    public var element: Item

    enum CodingKeys: String, CodingKey {
        case parentTask = "parent_task"
        case index, element
    }
}
