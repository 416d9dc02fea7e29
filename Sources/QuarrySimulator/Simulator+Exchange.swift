import Hummingbird
import NIOCore

extension Simulator {
    /// What `process` needs from the request besides its body.
    struct Exchange: Sendable {
        var endpoint: String
        var sequence: Int
        var headers: HTTPFields
        var channel: any Channel
        var fault: FaultKind?
        var latencySeed: UInt64
    }
}
