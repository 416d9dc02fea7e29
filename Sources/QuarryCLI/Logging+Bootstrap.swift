import Foundation
import Logging

enum LogSetup {
    /// Sends logs to standard error at `level`, once per process.
    nonisolated(unsafe) private static var done = false  // written once, on the main path, before any task starts

    static func bootstrap(level: String) {
        guard !done else { return }
        done = true
        let parsed = Logger.Level(rawValue: level.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
    }
}
