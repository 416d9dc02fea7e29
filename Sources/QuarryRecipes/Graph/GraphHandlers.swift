import QuarryLLM
import QuarryQueue

/// The typed handlers of recipes' kinds, registered by kind so payload and output types are the kind's:
/// `handlers.register(Kinds.extract) { payload, context in … }` (the LLM service is `context.service`).
/// Registering needs no service or database, so a coordinator can check that every kind of every graph
/// has a handler before it starts; `install(into:service:)` adapts them to the queue's `TaskHandler`s.
public struct GraphHandlers: Sendable {
    private var makers: [String: @Sendable (LLMService, BuildSpecStore, BuildMemo) -> any TaskHandler] = [:]

    public init() {}

    public mutating func register<Payload, Output>(
        _ kind: TaskKind<Payload, Output>, _ body: @escaping @Sendable (Payload, GraphContext) async throws -> Produced<Output>
    ) {
        makers[kind.name] = { service, specs, memo in TypedTaskHandler(kind: kind, body: body, service: service, specs: specs, memo: memo) }
    }

    public var kinds: [String] { makers.keys.sorted() }

    /// Registers every handler with the worker's registry; they share `service` and one spec store.
    public func install(into registry: inout HandlerRegistry, service: LLMService) {
        let specs = BuildSpecStore()
        let memo = BuildMemo()
        for (kind, make) in makers { registry.register(kind, make(service, specs, memo)) }
    }
}

/// Decodes the payload (a payload that does not decode is a permanent failure: no retry changes it),
/// reads the build's spec, runs the typed body, and encodes its output with sorted keys.
struct TypedTaskHandler<Payload: Codable & Sendable, Output: Codable & Sendable>: TaskHandler {
    let kind: TaskKind<Payload, Output>
    let body: @Sendable (Payload, GraphContext) async throws -> Produced<Output>
    let service: LLMService
    let specs: BuildSpecStore
    let memo: BuildMemo

    func handle(_ task: ClaimedTask, context: TaskContext) async throws -> TaskOutput {
        let payload = try task.decodePayload(Payload.self)
        let spec = try await specs.spec(for: task.buildID, queue: context.queue)
        let graphContext = GraphContext(task: task, worker: context, spec: spec, service: service, memo: memo)
        let produced = try await HandlerFailures.mapped { try await body(payload, graphContext) }
        return try TaskOutput(encoding: produced.output, promptVersion: produced.promptVersion)
    }
}
