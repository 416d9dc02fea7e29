import Dispatch
import Foundation

/// SIGTERM/SIGINT handling: the first signal asks for a clean shutdown, a second one exits at once.
final class ShutdownSignals {
    private let sources: [any DispatchSourceSignal]

    init(onShutdown: @escaping @Sendable () -> Void) {
        let queue = DispatchQueue(label: "quarry.signals")
        let count = SignalCounter()
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                if count.increment() > 1 {
                    FileHandle.standardError.write(Data("second signal: exiting now\n".utf8))
                    exit(130)
                }
                onShutdown()
            }
            source.resume()
            return source
        }
    }

    func cancel() { sources.forEach { $0.cancel() } }
}

/// Counts signals; only touched from the serial signal queue.
private final class SignalCounter: @unchecked Sendable {
    // @unchecked: `value` is only read and written from the one serial queue that delivers signals.
    private var value = 0
    func increment() -> Int {
        value += 1
        return value
    }
}
