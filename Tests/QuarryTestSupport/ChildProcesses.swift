import Foundation
import QuarryPostgres
import Synchronization

/// The child processes one test starts (`quarry worker`, `quarry coordinator`, `quarry demo`). However the
/// test ends, `withChildProcesses` stops and reaps any still running, so a failed expectation or a thrown
/// error does not leave them working against the database: SIGTERM first (and SIGCONT, for a SIGSTOPped
/// one), so that a process can stop what it started itself (the demo's PostgreSQL), then SIGKILL.
public final class ChildProcesses: Sendable {
    private let started = Mutex<[ChildProcess]>([])

    /// Starts `executable` with `arguments`; see `ChildProcess.init`.
    public func start(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], removing removed: [String] = []
    ) throws -> ChildProcess {
        let child = try ChildProcess(executable, arguments, environment: environment, removing: removed)
        started.withLock { $0.append(child) }
        return child
    }

    /// Stops and reaps every process still running.
    func stopRemaining() async {
        let running = started.withLock { $0 }.filter { $0.exitStatusIfExited() == nil }
        for child in running {
            child.signal(SIGTERM)
            child.signal(SIGCONT)
        }
        for child in running where await child.waitForExit(timeout: .seconds(15)) == nil {
            child.signal(SIGKILL)
            _ = await child.waitForExit(timeout: .seconds(30))
        }
    }
}

/// Runs `body` with a `ChildProcesses` to start processes from; stops what is left of them at the end.
public func withChildProcesses<T>(
    isolation: isolated (any Actor)? = #isolation, _ body: (ChildProcesses) async throws -> T
) async throws -> T {
    try await withTearDown(of: ChildProcesses(), tearDown: { await $0.stopRemaining() }, body)
}
