import Logging
import QuarryPostgres
import ServiceLifecycle

/// Drives builds through their graphs: expands finished tasks into their children (edges, joins) by the
/// graph stored with each build, and ends a build when nothing is left to run or expand, as
/// `completed`, `completed_with_errors` or `failed` (`BuildOutcome`).
/// One coordinator leads per schema (advisory lock); others stand by and take over when it dies.
/// Wakes on the finished-task NOTIFY, and polls regardless. A `Service`: it stops on graceful shutdown or
/// cancellation (expansion is idempotent, so stopping mid-pass loses nothing).
public final class Coordinator: Service, Sendable {
    public let queue: TaskQueue
    let logger: Logger
    let lock: LeaderLock
    let wake = WakeSignal()

    public init(queue: TaskQueue, logger: Logger = Logger(label: "quarry.coordinator")) {
        self.queue = queue
        self.logger = logger
        var configuration = queue.sessionConfiguration
        configuration.applicationName = String((configuration.applicationName + ":leader").prefix(63))
        self.lock = LeaderLock(name: "quarry.coordinator." + queue.configuration.schema, configuration: configuration, logger: logger)
    }

    /// Runs until graceful shutdown or cancellation. Also runs a rescuer (which leads separately).
    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await self.coordinate() }
    }

    private func coordinate() async throws {
        // An unmigrated schema stops the coordinator at once (the error says which object is missing)
        // instead of failing every pass.
        try await queue.checkSchema()
        let listener = try PostgresListener(configuration: queue.sessionConfiguration, channels: [queue.configuration.finishedChannel])
        listener.start()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [wake] in
                for await _ in listener.events { wake.signal() }
            }
            let rescuer = Rescuer(queue: queue)
            group.addTask { try? await rescuer.run() }
            await loop()
            listener.stop()
            group.cancelAll()
        }
        await lock.release()
    }

    private func loop() async {
        while !Task.isCancelled {
            var busy = false
            do {
                if try await lock.acquire() {
                    busy = try await pass()
                }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("coordinator pass failed (will retry): \(error)")
            }
            if !busy { await wake.wait(timeout: queue.configuration.pollInterval) }
        }
    }

    /// One pass over every active build. Returns true when there may be more to do right away.
    @discardableResult
    public func pass() async throws -> Bool {
        var busy = false
        for build in try await queue.activeBuilds() {
            let graph: BuildGraph
            do {
                graph = try BuildGraph.decode(build.graph)
            } catch {
                // Only this build is stuck; pausing it says why and lets the others go on.
                _ = try await queue.pauseBuild(build.id, reason: "its stored graph does not decode (\(error)); a newer Quarry submitted it")
                continue
            }
            let report = try await queue.expand(buildID: build.id, graph: graph)
            if report.parentsExpanded > 0 {
                busy = true
                logger.debug("build \(build.id): expanded \(report.parentsExpanded) task(s) into \(report.childrenCreated)")
            } else if try await queue.isBuildDrained(build.id), let outcome = try await queue.finishDrainedBuild(build.id) {
                let text = "build \(build.id) \(outcome.state.rawValue)" + (outcome.reason.map { ": \($0)" } ?? "")
                if outcome.state == .completed { logger.info("\(text)") } else { logger.warning("\(text)") }
            }
        }
        return busy
    }
}
