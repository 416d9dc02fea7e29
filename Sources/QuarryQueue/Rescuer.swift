import Logging
import QuarryPostgres
import ServiceLifecycle

/// Runs `TaskQueue.rescue()` in exactly one process per schema at a time (see `LeaderLock`): any worker
/// or coordinator may run a Rescuer; the one holding the lock rescues, the others stand by and take over
/// at their next tick when the holder dies. A `Service` that stops on graceful shutdown or cancellation.
public final class Rescuer: Service, Sendable {
    let queue: TaskQueue
    let lock: LeaderLock
    let logger: Logger

    public init(queue: TaskQueue, logger: Logger = Logger(label: "quarry.rescuer")) {
        self.queue = queue
        var configuration = queue.sessionConfiguration
        configuration.applicationName = String((configuration.applicationName + ":rescuer").prefix(63))
        self.lock = LeaderLock(name: "quarry.rescuer." + queue.configuration.schema, configuration: configuration, logger: logger)
        self.logger = logger
    }

    /// Ticks every heartbeat interval until graceful shutdown or cancellation.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.tick() }
    }

    private func tick() async {
        while !Task.isCancelled {
            do {
                if try await lock.acquire() { _ = try await queue.rescue() }
            } catch is CancellationError {
                break
            } catch {
                logger.warning("rescuer: \(error)")
            }
            try? await Task.sleep(for: queue.configuration.heartbeatInterval)
        }
        await lock.release()
    }
}
