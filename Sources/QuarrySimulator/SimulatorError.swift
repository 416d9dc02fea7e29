/// An error from starting, configuring or running the simulator itself (not an HTTP error sent to clients).
public struct SimulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, stable enough to switch on.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A `SimulatorConfiguration` value is out of range.
        public static let invalidConfiguration = Code(rawValue: "invalid_configuration")
        /// The HTTP server could not bind or stopped before it was listening.
        public static let startFailed = Code(rawValue: "start_failed")
        /// `start()` was called on a simulator that is already running.
        public static let alreadyRunning = Code(rawValue: "already_running")
    }

    public let code: Code
    public let message: String
    /// Key facts for logs, e.g. the offending field and value.
    public let context: [String: String]

    public init(code: Code, message: String, context: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.context = context
    }

    public var description: String {
        let details = context.keys.sorted().map { "\($0)=\(context[$0]!)" }.joined(separator: " ")
        return details.isEmpty ? "\(code): \(message)" : "\(code): \(message) [\(details)]"
    }
}
