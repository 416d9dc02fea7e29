import ArgumentParser
import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryRecipes

/// Runs a submitted build to its end: a coordinator in this process, worker processes beside it, a
/// progress line every two seconds. Shared by `quarry demo` and `quarry bench build`.
struct BuildDriver {
    let services: DemoServices
    let logs: URL

    /// Returns the build as it ended. A build paused on its own (by the systemic-failure breaker or its
    /// budget) is an error naming the reason: it needs an operator, not more waiting.
    @discardableResult
    func run(
        queue: TaskQueue, buildID: Int, databaseURL: String, endpointsPath: String, workers: Int, concurrency: Int,
        timeout: Duration, progressEvery: Duration = .seconds(2), say: (String) -> Void
    ) async throws -> BuildInfo {
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let coordinator = Coordinator(queue: queue, graphs: RecipeCatalog.standard.graphs)
        services.coordinator = Task { await coordinator.run() }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        for index in 0..<workers {
            let arguments = [
                "worker", "--database-url", databaseURL, "--schema", queue.configuration.schema, "--endpoints", endpointsPath,
                "--concurrency", String(concurrency), "--log-level", "warning",
            ]
            let log = logs.appendingPathComponent("worker-\(index + 1).log").path
            services.workers.append(try ChildProcess(executable, arguments, outputPath: log))
        }
        say("started the coordinator and \(workers) worker process(es) (logs in \(logs.path))")
        let monitor = BuildProgressMonitor(queue: queue)
        let started = ContinuousClock.now
        var lastLine = ContinuousClock.now - .seconds(10)
        while true {
            if services.interrupted { throw CleanExit.message("interrupted; the build stays in the database (quarry status \(buildID))") }
            let exited = services.workers.filter { $0.exitStatusIfExited() != nil }
            if exited.count == services.workers.count {
                throw ValidationError("every worker process exited; the last lines of \(exited[0].outputPath):\n\(exited[0].output.suffix(1_500))")
            }
            guard let build = try await queue.build(buildID) else { throw ValidationError("build \(buildID) vanished") }
            if build.state.isFinished { return build }
            if build.state == .paused {
                throw ValidationError(
                    "build \(buildID) paused: \(build.stateReason ?? "no reason given"). Fix it, then `quarry resume \(buildID) --retry-dead`; "
                        + "the build stays in the database")
            }
            if ContinuousClock.now - lastLine >= progressEvery {
                for line in try await monitor.lines() where line.hasPrefix("build \(buildID) ") { say(line) }
                lastLine = ContinuousClock.now
            }
            if ContinuousClock.now - started > timeout {
                throw ValidationError("the build did not finish within \(timeout); see quarry status \(buildID)")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
