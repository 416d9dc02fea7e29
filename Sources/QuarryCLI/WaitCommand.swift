import ArgumentParser
import Foundation
import QuarryQueue

/// `quarry wait BUILD`: blocks until the build ends; the exit status says how, for scripts and CI.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until a build ends; exit 0 only when every task completed.",
        discussion: """
            Exit status: 0 completed; 2 completed_with_errors (0 with --allow-errors); 3 failed; 4 cancelled; \
            5 paused (with --fail-on-pause: a paused build needs an operator); 6 timed out. Prints the outcome \
            and its reason.
            """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Build id.") var build: Int
    @Option(help: "Give up after this many seconds (default: wait for ever).") var timeoutSeconds: Double?
    @Flag(help: "Exit 0 for completed_with_errors too.") var allowErrors = false
    @Flag(help: "Stop waiting, with status 5, when the build is paused (by the breaker, its budget or an operator).")
    var failOnPause = false
    @Option(help: "Seconds between looks at the build.") var everySeconds: Double = 1

    func validate() throws {
        if let timeoutSeconds, !(timeoutSeconds > 0) { throw ValidationError("--timeout-seconds must be positive") }
        guard everySeconds > 0, everySeconds.isFinite else { throw ValidationError("--every-seconds must be positive") }
    }

    static func exitCode(_ state: BuildState, allowErrors: Bool) -> Int32 {
        switch state {
        case .completed: 0
        case .completedWithErrors: allowErrors ? 0 : 2
        case .failed: 3
        case .cancelled: 4
        case .paused: 5
        case .active: 6
        }
    }

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        let code: Int32 = try await database.withPool(role: "wait", maxConnections: 1) { pool in
            let queue = TaskQueue(pool: pool, configuration: QueueConfiguration(schema: database.schema))
            let deadline = timeoutSeconds.map { ContinuousClock.now + .milliseconds(Int64($0 * 1_000)) }
            while true {
                guard let info = try await queue.build(build) else { throw ValidationError("no build \(build)") }
                let done = info.state.isFinished || (failOnPause && info.state == .paused)
                if done || deadline.map({ ContinuousClock.now >= $0 }) == true {
                    let reason = info.stateReason.map { ": \($0)" } ?? ""
                    print("build \(build) \(done ? info.state.rawValue : "still \(info.state.rawValue) (timed out)")\(reason)")
                    return done ? Self.exitCode(info.state, allowErrors: allowErrors) : 6
                }
                try await Task.sleep(for: .milliseconds(Int64(everySeconds * 1_000)))
            }
        }
        if code != 0 { throw ExitCode(code) }
    }
}
