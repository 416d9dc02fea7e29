import Foundation
import QuarryJSON
import QuarryQueue

/// A recipe's task graph for one build, declared with typed kinds: seeds (one task per input record and
/// variant, enqueued at submit) and the rules the coordinator expands finished tasks by. Built from the
/// build's parameters, so counts and variants shape it per build; `buildGraph(parameters:)` is what is
/// stored with the build.
public struct RecipeGraph: Sendable {
    /// A seed kind and its variants.
    public struct SeedKind: Sendable, Equatable {
        public var name: String
        public var family: TaskFamily
        public var variants: [String]
        public var priority: Int
        public var maxAttempts: Int
    }

    public private(set) var seeds: [SeedKind] = []
    public private(set) var edges: [GraphEdge] = []
    public private(set) var joins: [GraphJoin] = []

    public init() {}

    /// One `kind` task per record and variant, key `r<position>/<kind>[/<variant>]`.
    public mutating func seed<Record, Output>(kind: TaskKind<Seed<Record>, Output>, variants: [String] = [""]) {
        seeds.append(SeedKind(name: kind.name, family: kind.family, variants: variants, priority: kind.priority, maxAttempts: kind.maxAttempts))
    }

    /// One `to` task when a `from` task completes (and `condition` holds on its output).
    public mutating func then<Payload, Output, Next>(
        from: TaskKind<Payload, Output>, to: TaskKind<Follows<Output>, Next>, when condition: GraphPredicate? = nil
    ) {
        edges.append(GraphEdge(from: from.name, to: to.name, family: to.family, fanOut: .one, when: condition, priority: to.priority, maxAttempts: to.maxAttempts))
    }

    /// A barrier: once every `from` task of the build has finished, one `to` task per completed `from` task
    /// (where `condition` holds). Its handler can read all of them (`GraphContext.outputs(ofAll:)`), for
    /// what must be decided across the build, such as names unique among all generated ones.
    public mutating func afterAll<Payload, Output, Next>(
        from: TaskKind<Payload, Output>, to: TaskKind<Follows<Output>, Next>, when condition: GraphPredicate? = nil
    ) {
        edges.append(
            GraphEdge(
                from: from.name, to: to.name, family: to.family, fanOut: .one, when: condition, priority: to.priority, maxAttempts: to.maxAttempts,
                afterAll: true))
    }

    /// `times` `to` tasks (index 1…times) when a `from` task completes (and `condition` holds).
    public mutating func `repeat`<Payload, Output, Next>(
        from: TaskKind<Payload, Output>, times: Int, to: TaskKind<Follows<Output>, Next>, when condition: GraphPredicate? = nil
    ) {
        edges.append(
            GraphEdge(from: from.name, to: to.name, family: to.family, fanOut: .times(max(1, times)), when: condition, priority: to.priority, maxAttempts: to.maxAttempts))
    }

    /// One `to` task per element of `field` of a completed `from` task's output (and only if `condition` holds).
    public mutating func forEach<Payload, Output, Item, Next>(
        from: TaskKind<Payload, Output>, field: ListField<Output, Item>, to: TaskKind<EachElement<Item>, Next>, when condition: GraphPredicate? = nil
    ) {
        edges.append(
            GraphEdge(
                from: from.name, to: to.name, family: to.family, fanOut: .each(field: field.name), when: condition, priority: to.priority,
                maxAttempts: to.maxAttempts))
    }

    /// One `to` task per completed `parent` task once all its children of the `over` kinds have finished,
    /// whether there were any or not.
    public mutating func join<Payload, Output, Next>(parent: TaskKind<Payload, Output>, over children: [any AnyTaskKind], to: TaskKind<Joined<Output>, Next>) {
        joins.append(
            GraphJoin(parent: parent.name, children: children.map(\.name), to: to.name, family: to.family, priority: to.priority, maxAttempts: to.maxAttempts))
    }

    /// Every kind the graph creates, seeds first.
    public var kinds: [String] {
        var seen: [String] = []
        for kind in seeds.map(\.name) + edges.map(\.to) + joins.map(\.to) where !seen.contains(kind) { seen.append(kind) }
        return seen
    }

    /// The rules as the coordinator stores and expands them, with the build's parameters for predicates.
    public func buildGraph(parameters: RecipeParameters) -> BuildGraph {
        BuildGraph(edges: edges, joins: joins, parameters: JSONValue.object(parameters.values).canonicalString)
    }

    /// The seed tasks of one record.
    func seedTasks(for record: BuildRecord) -> [NewTask] {
        var tasks: [NewTask] = []
        for seed in seeds {
            for variant in seed.variants {
                let payload = "{\"line\":\(record.line),\"position\":\(record.position),\"record\":\(record.json),\"variant\":\(JSONValue.string(variant).canonicalString)}"
                tasks.append(
                    NewTask(
                        kind: seed.name, family: seed.family, key: "r\(record.position)/\(seed.name)" + (variant.isEmpty ? "" : "/\(variant)"),
                        payload: payload, priority: seed.priority, maxAttempts: seed.maxAttempts))
            }
        }
        return tasks
    }
}
