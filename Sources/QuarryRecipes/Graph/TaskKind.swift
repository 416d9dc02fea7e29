import QuarryQueue

/// A kind of task, typed by what its payload holds and what its handler returns. One declaration gives
/// the handler's registration (`GraphHandlers.register`), the payload and output codecs, and the graph's
/// edges: an edge whose child reads something other than its parent's output does not compile.
public struct TaskKind<Payload: Codable & Sendable, Output: Codable & Sendable>: AnyTaskKind {
    public let name: String
    public let family: TaskFamily
    /// Lower runs first (the queue's order).
    public let priority: Int
    public let maxAttempts: Int

    public init(_ name: String, family: TaskFamily, priority: Int = 4, maxAttempts: Int = 5) {
        self.name = name
        self.family = family
        self.priority = priority
        self.maxAttempts = maxAttempts
    }
}

/// What a graph needs of a kind whatever its types (joins list kinds of different outputs).
public protocol AnyTaskKind: Sendable {
    var name: String { get }
    var family: TaskFamily { get }
}
