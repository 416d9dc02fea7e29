/// How a build's tasks beget tasks: which tasks are seeded from its input records, which tasks a
/// completed task creates (fan-out, optionally only when its output matches a condition), and which
/// task waits for all of a parent's children (fan-in). Recipes declare graphs; the `Coordinator`
/// turns them into set-based SQL, so recipes never write SQL.
///
/// Child keys derive from parent keys (`parentKey/kind[/index]`), so expanding twice, or after a crash
/// mid-expansion, creates nothing new.
public struct BuildGraph: Sendable {
    public var seeds: [SeedRule]
    public var edges: [ExpansionRule]
    public var fanIns: [FanInRule]

    public init(seeds: [SeedRule], edges: [ExpansionRule] = [], fanIns: [FanInRule] = []) {
        self.seeds = seeds
        self.edges = edges
        self.fanIns = fanIns
    }

    /// Every kind the graph can create.
    public var kinds: [String] {
        var seen: [String] = []
        for kind in seeds.map(\.kind) + edges.map(\.to) + fanIns.map(\.to) where !seen.contains(kind) { seen.append(kind) }
        return seen
    }
}

/// One task per input record and variant. Payload: `{"record": <the record>, "line": n, "variant": v}`;
/// key `r<line>/<kind>[/<variant>]`.
public struct SeedRule: Sendable {
    public var kind: String
    public var family: TaskFamily
    public var variants: [String]
    public var priority: Int
    public var maxAttempts: Int

    public init(kind: String, family: TaskFamily, variants: [String] = [""], priority: Int = 5, maxAttempts: Int = 5) {
        self.kind = kind
        self.family = family
        self.variants = variants
        self.priority = priority
        self.maxAttempts = maxAttempts
    }
}

/// A condition on a parent's output (a JSON object) that decides whether the edge fires.
public enum OutputCondition: Sendable, Equatable {
    case equals(field: String, value: String)
    case isTrue(field: String)
    case isFalse(field: String)
}

/// What the children of one completed parent are.
public enum FanOut: Sendable, Equatable {
    /// One child whose `output` is the parent's output.
    case one
    /// One child per element of the array at `field` of the parent's output, with `output` the element
    /// and `index` its position (from 1).
    case eachElement(of: String)
    /// `count` children with `index` 1…count.
    case times(Int)
}

/// When a `from` task completes (and its output matches `condition`), create `to` tasks. Payload:
/// `{"parent": <parent payload>, "output": <parent output or element>, "index": i, "parent_task": id}`.
public struct ExpansionRule: Sendable {
    public var from: String
    public var to: String
    public var family: TaskFamily
    public var fanOut: FanOut
    public var condition: OutputCondition?
    public var priority: Int
    public var maxAttempts: Int

    public init(
        from: String, to: String, family: TaskFamily, fanOut: FanOut = .one, when condition: OutputCondition? = nil,
        priority: Int = 4, maxAttempts: Int = 5
    ) {
        self.from = from
        self.to = to
        self.family = family
        self.fanOut = fanOut
        self.condition = condition
        self.priority = priority
        self.maxAttempts = maxAttempts
    }
}

/// When every `childKind` child of a `parentKind` task has finished (completed, dead or cancelled), create
/// one `to` task for the parent. Payload: `{"parent": <parent payload>, "parent_output": <its output>,
/// "outputs": [<completed children's outputs, in key order>], "finished": n, "failed": n}`.
public struct FanInRule: Sendable {
    public var parentKind: String
    public var childKind: String
    public var to: String
    public var family: TaskFamily
    public var priority: Int
    public var maxAttempts: Int

    public init(parentKind: String, childKind: String, to: String, family: TaskFamily, priority: Int = 3, maxAttempts: Int = 5) {
        self.parentKind = parentKind
        self.childKind = childKind
        self.to = to
        self.family = family
        self.priority = priority
        self.maxAttempts = maxAttempts
    }
}
