import NIOCore

extension Simulator {
    /// Waits out a simulated latency on the connection's event loop, sharing a timer with every other wait
    /// due in the same millisecond (see `LatencyTimer`).
    func sleep(on eventLoop: any EventLoop, nanoseconds: Int64) async throws {
        try await latencyTimer.sleep(nanoseconds: nanoseconds, on: eventLoop)
    }
}
