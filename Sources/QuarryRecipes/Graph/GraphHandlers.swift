import QuarryLLM
import QuarryQueue

/// The typed handlers of recipes' kinds, registered by kind so payload and output types are the kind's:
/// `handlers.register(Kinds.extract) { payload, context in … }`. `install(into:)` adapts them to the
/// queue's untyped `TaskHandler`s.
public struct GraphHandlers: Sendable {
    public let service: LLMService
    let specs: BuildSpecStore
    private(set) var handlers: [String: any TaskHandler] = [:]

    public init(service: LLMService, specs: BuildSpecStore = BuildSpecStore()) {
        self.service = service
        self.specs = specs
    }

    public mutating func register<Payload, Output>(
        _ kind: TaskKind<Payload, Output>, _ body: @escaping @Sendable (Payload, GraphContext) async throws -> Produced<Output>
    ) {
        handlers[kind.name] = TypedTaskHandler(kind: kind, body: body, service: service, specs: specs)
    }

    public var kinds: [String] { handlers.keys.sorted() }

    public func install(into registry: inout HandlerRegistry) {
        for (kind, handler) in handlers { registry.register(kind, handler) }
    }
}

/// Decodes the payload (a payload that does not decode is a permanent failure: no retry changes it),
/// reads the build's spec, runs the typed body, and encodes its output with sorted keys.
struct TypedTaskHandler<Payload: Codable & Sendable, Output: Codable & Sendable>: TaskHandler {
    let kind: TaskKind<Payload, Output>
    let body: @Sendable (Payload, GraphContext) async throws -> Produced<Output>
    let service: LLMService
    let specs: BuildSpecStore

    func handle(_ task: ClaimedTask, context: TaskContext) async throws -> TaskOutput {
        let payload = try task.decodePayload(Payload.self)
        let spec = try await specs.spec(for: task.buildID, queue: context.queue)
        let graphContext = GraphContext(task: task, worker: context, spec: spec, service: service)
        let produced = try await HandlerFailures.mapped { try await body(payload, graphContext) }
        return try TaskOutput(encoding: produced.output, promptVersion: produced.promptVersion)
    }
}
