import Foundation
import QuarryPostgres

extension ChildProcess {
    /// Runs a command to completion and returns its exit code (128 + signal when killed; -1 when it outlived
    /// `timeout` and was killed) and output. Unlike `run`, it waits by polling, so it never holds a thread of
    /// Swift's cooperative pool: tests that run validators and probes stay out of each other's way.
    public static func complete(
        _ command: [String], environment: [String: String] = [:], timeout: Duration = .seconds(300)
    ) async throws -> (status: Int32, output: String) {
        let child = try ChildProcess(command[0], Array(command.dropFirst()), environment: environment)
        defer { unlink(child.outputPath) }
        guard let status = await child.waitForExit(timeout: timeout) else {
            child.signal(SIGKILL)
            _ = await child.waitForExit(timeout: .seconds(10))
            return (-1, child.output + "\n(killed after \(timeout))")
        }
        return (status, child.output)
    }
}
