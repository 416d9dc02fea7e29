import Dispatch
import Foundation

/// Waits for SIGINT or SIGTERM without installing a C signal handler: the signals are ignored at the process
/// level and observed through dispatch sources, which is safe to do from async code.
enum TerminationSignal {
    /// Returns the signal received, or nil when the calling task was cancelled first. Restores default
    /// signal handling on return.
    static func wait(for signals: [Int32] = [SIGINT, SIGTERM]) async -> Int32? {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        defer {
            for source in sources { source.cancel() }
            for number in signals { signal(number, SIG_DFL) }
        }
        var iterator = stream.makeAsyncIterator()
        // AsyncStream's iterator returns nil when the task is cancelled, which ends the wait.
        return await iterator.next()
    }
}
