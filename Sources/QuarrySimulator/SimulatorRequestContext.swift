import Hummingbird
import NIOCore

/// Hummingbird request context that also keeps the connection's channel, which the `reset` fault and the
/// hang's early exit need (a plain `BasicRequestContext` does not expose it).
struct SimulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
