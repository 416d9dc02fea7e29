import Foundation

/// How a build's tasks beget tasks: which tasks a completed task creates (edges: fan-out, optionally only
/// when its output satisfies a predicate) and which task waits for all of a parent's children of some
/// kinds (joins). A build's graph is data, stored with the build (`builds.graph`) when it is submitted, so
/// a coordinator restarted mid-build expands exactly the same graph, and two builds of one recipe can
/// have different shapes. The `Coordinator` turns it into set-based SQL; recipes never write SQL.
///
/// Seed tasks are not part of the graph: whoever loads a build's input enqueues them.
/// Child keys derive from parent keys (`parentKey/kind[/index]`), so expanding twice, or after a crash
/// mid-expansion, creates nothing new.
public struct BuildGraph: Sendable, Codable, Equatable {
    public var edges: [GraphEdge]
    public var joins: [GraphJoin]
    /// The build's parameters as a JSON object (text), which predicates may compare with (`.parameter`).
    public var parameters: String

    public init(edges: [GraphEdge] = [], joins: [GraphJoin] = [], parameters: String = "{}") {
        self.edges = edges
        self.joins = joins
        self.parameters = parameters
    }

    /// The graph as stored in `builds.graph` (sorted keys, so equal graphs are equal text).
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, numbers and arrays of them always encode.
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    public static func decode(_ json: String) throws -> BuildGraph {
        try JSONDecoder().decode(BuildGraph.self, from: Data(json.utf8))
    }
}

/// What the children of one completed parent are.
public enum FanOut: Sendable, Equatable, Codable {
    /// One child.
    case one
    /// One child per element of the array at the top-level output field, with `element` in its payload
    /// and `index` its position (from 1). An absent field or a non-array makes no children.
    case each(field: String)
    /// `count` children with `index` 1…count.
    case times(Int)
}

/// When a `from` task completes and its output satisfies `condition`, create `to` tasks. Payload:
/// `{"parent_task": id, "index": i}` plus `"element"` for `.each`: a reference to the parent, never a
/// copy of its ancestry, so payloads stay bounded whatever the graph's depth.
public struct GraphEdge: Sendable, Equatable, Codable {
    public var from: String
    public var to: String
    public var family: TaskFamily
    public var fanOut: FanOut
    public var condition: GraphPredicate?
    public var priority: Int
    public var maxAttempts: Int
    /// A barrier: the edge fires only once no task of kind `from` in the build is waiting or running, and
    /// then for every completed `from` task at once — so each child may read all of its parent's siblings
    /// (a build-wide check, such as names that must be unique across the build).
    public var afterAll: Bool

    public init(
        from: String, to: String, family: TaskFamily, fanOut: FanOut = .one, when condition: GraphPredicate? = nil, priority: Int = 4,
        maxAttempts: Int = 5, afterAll: Bool = false
    ) {
        self.from = from
        self.to = to
        self.family = family
        self.fanOut = fanOut
        self.condition = condition
        self.priority = priority
        self.maxAttempts = maxAttempts
        self.afterAll = afterAll
    }

    enum CodingKeys: String, CodingKey {
        case from, to, family, fanOut, condition, priority, maxAttempts, afterAll
    }

    /// Graphs stored before barriers existed have no `afterAll`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        from = try c.decode(String.self, forKey: .from)
        to = try c.decode(String.self, forKey: .to)
        family = try c.decode(TaskFamily.self, forKey: .family)
        fanOut = try c.decode(FanOut.self, forKey: .fanOut)
        condition = try c.decodeIfPresent(GraphPredicate.self, forKey: .condition)
        priority = try c.decode(Int.self, forKey: .priority)
        maxAttempts = try c.decode(Int.self, forKey: .maxAttempts)
        afterAll = try c.decodeIfPresent(Bool.self, forKey: .afterAll) ?? false
    }
}

/// When every child of a completed `parent`-kind task whose kind is one of `children` has finished
/// (completed, dead or cancelled) — including when there are none — create one `to` task for the parent,
/// key `parentKey/to`. Payload: `{"parent_task": id, "finished": n, "failed": n}`; the children's outputs
/// are read through the task's context, not copied into the payload.
public struct GraphJoin: Sendable, Equatable, Codable {
    public var parent: String
    public var children: [String]
    public var to: String
    public var family: TaskFamily
    public var priority: Int
    public var maxAttempts: Int

    public init(parent: String, children: [String], to: String, family: TaskFamily, priority: Int = 3, maxAttempts: Int = 5) {
        self.parent = parent
        self.children = children
        self.to = to
        self.family = family
        self.priority = priority
        self.maxAttempts = maxAttempts
    }
}
