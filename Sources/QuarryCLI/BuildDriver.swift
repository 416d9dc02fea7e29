import ArgumentParser
import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryRecipes
import ServiceLifecycle

/// Runs a submitted build to its end: a coordinator in this process, worker processes beside it, a
/// progress line every `progressEvery`. Shared by `quarry demo` and `quarry bench build`.
///
/// Graceful shutdown (Ctrl-C, SIGTERM through the command's `ServiceGroup`) ends it early: the workers are
/// stopped with SIGTERM (they release what they hold), and the build stays in the database to resume.
struct BuildDriver {
    let logs: URL
    /// Where a build that did not finish here can be found, for the messages that say so: by default the
    /// configured database, where `quarry status` shows it.
    var whereBuildStays: @Sendable (Int) -> String = { "in the database (`quarry status \($0)`)" }

    /// Returns the build as it ended. A build paused on its own (by the systemic-failure breaker or its
    /// budget) is an error naming the reason: it needs an operator, not more waiting.
    @discardableResult
    func run(
        queue: TaskQueue, buildID: Int, databaseURL: String, endpointsPath: String, workers: Int, concurrency: Int,
        timeout: Duration, progressEvery: Duration = .seconds(2), say: (String) -> Void
    ) async throws -> BuildInfo {
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let arguments = [
            "worker", "--database-url", databaseURL, "--schema", queue.configuration.schema, "--endpoints", endpointsPath,
            "--concurrency", String(concurrency), "--log-level", "warning",
        ]
        return try await WorkerProcesses.with(count: workers, arguments: arguments, logs: logs) { processes in
            say("started the coordinator and \(workers) worker process(es) (logs in \(logs.path))")
            let coordinator = Coordinator(queue: queue)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await coordinator.run() }
                let ended = try await watch(
                    queue: queue, buildID: buildID, processes: processes, timeout: timeout, progressEvery: progressEvery, say: say)
                group.cancelAll()
                try await group.waitForAll()
                return ended
            }
        }
    }

    /// Prints progress until the build ends and returns it; throws when it cannot finish (or was paused).
    private func watch(
        queue: TaskQueue, buildID: Int, processes: WorkerProcesses, timeout: Duration, progressEvery: Duration, say: (String) -> Void
    ) async throws -> BuildInfo {
        let monitor = BuildProgressMonitor(queue: queue)
        let started = ContinuousClock.now
        var lastLine = ContinuousClock.now - .seconds(10)
        while true {
            if Task.isShuttingDownGracefully || Task.isCancelled {
                throw CleanExit.message("interrupted; build \(buildID) stays \(whereBuildStays(buildID))")
            }
            if let exited = processes.allExited {
                throw ValidationError("every worker process exited; the last lines of \(exited.outputPath):\n\(exited.output.suffix(1_500))")
            }
            guard let build = try await queue.build(buildID) else { throw ValidationError("build \(buildID) vanished") }
            if build.state.isFinished { return build }
            if build.state == .paused {
                throw ValidationError(
                    "build \(buildID) paused: \(build.stateReason ?? "no reason given"). Fix it, then `quarry resume \(buildID) --retry-dead`; "
                        + "the build stays \(whereBuildStays(buildID))")
            }
            if ContinuousClock.now - lastLine >= progressEvery {
                for line in try await monitor.lines() where line.hasPrefix("build \(buildID) ") { say(line) }
                lastLine = ContinuousClock.now
            }
            if ContinuousClock.now - started > timeout {
                throw ValidationError("the build did not finish within \(timeout); it stays \(whereBuildStays(buildID))")
            }
            try? await Task.sleep(for: .milliseconds(250))  // polling the build's state, not synchronising
        }
    }
}

/// `quarry worker` child processes of this one, stopped (SIGTERM, then SIGKILL after a grace period) when
/// the scope that started them ends, however it ends.
struct WorkerProcesses: Sendable {
    let children: [ChildProcess]

    /// The last child, when every one has exited.
    var allExited: ChildProcess? {
        children.allSatisfy { $0.exitStatusIfExited() != nil } ? children.last : nil
    }

    static func with<T>(count: Int, arguments: [String], logs: URL, _ body: (WorkerProcesses) async throws -> T) async throws -> T {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        var children: [ChildProcess] = []
        let processes: WorkerProcesses
        do {
            for index in 0..<count {
                let log = logs.appendingPathComponent("worker-\(index + 1).log").path
                children.append(try ChildProcess(executable, arguments, outputPath: log))
            }
            processes = WorkerProcesses(children: children)
        } catch {
            await WorkerProcesses(children: children).stop()
            throw error
        }
        do {
            let value = try await body(processes)
            await processes.stop()
            return value
        } catch {
            await processes.stop()
            throw error
        }
    }

    func stop() async {
        for child in children { child.signal(SIGTERM) }
        for child in children where await child.waitForExit(timeout: .seconds(45)) == nil {
            child.signal(SIGKILL)
            _ = await child.waitForExit(timeout: .seconds(5))
        }
    }
}
