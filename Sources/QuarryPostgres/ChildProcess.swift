import Foundation
import Synchronization

/// A child process started with posix_spawn, its output in a file. Used for `pg_ctl`, for the worker
/// processes benchmarks and the demo start, and by tests. Killed on deinit if still running.
/// (Foundation's Process can miss a child's exit when waited on off the main thread.)
public final class ChildProcess: Sendable {
    public let pid: pid_t
    public let outputPath: String
    /// The raw wait status once the process has been reaped.
    private let exitStatus = Mutex<Int32?>(nil)

    public init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], removing removed: [String] = [],
        outputPath: String? = nil
    ) throws {
        self.outputPath = outputPath ?? NSTemporaryDirectory() + "quarry-child-\(UUID().uuidString).log"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, self.outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        for key in removed { merged[key] = nil }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, executable, &actions, nil, argv, envp)
        guard status == 0 else {
            throw PostgresCluster.ClusterError(message: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        self.pid = pid
    }

    deinit {
        if exitStatusIfExited() == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }

    public func signal(_ number: Int32) { kill(pid, number) }

    /// The exit status if the process has exited (reaping it), else nil.
    public func exitStatusIfExited() -> Int32? {
        exitStatus.withLock { exitStatus in
            if let exitStatus { return exitStatus }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
            exitStatus = status
            return status
        }
    }

    /// Waits (polling) for the process to exit; returns its exit code, or nil on timeout.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = exitStatusIfExited() { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f) }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Runs a command to completion (blocking the calling thread) and returns its exit code and output.
    public static func run(_ command: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(command[0], Array(command.dropFirst()), environment: environment)
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
        child.recordExit(status)
        defer { unlink(child.outputPath) }
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, child.output)
    }

    private func recordExit(_ status: Int32) {
        exitStatus.withLock { $0 = status }
    }
}

