import Logging
import ServiceLifecycle

/// Runs `services` (workers, coordinators, simulators) in a `ServiceGroup` of their own while `body` runs,
/// so that a test cannot leave one running whatever happens in it:
/// - when `body` returns, they are shut down gracefully, as SIGTERM would (a worker finishes its in-flight
///   tasks within its grace period), and awaited; an error one of them threw is then rethrown;
/// - when `body` throws (a failed `#require`, a database error), they are cancelled (a worker releases its
///   tasks at once) and awaited, and `body`'s error is rethrown.
///
/// A service may also stop on its own inside `body` (`worker.requestShutdown()`); the group then shuts
/// down the others gracefully. Services start in order and stop in reverse order.
public func whileRunning<T>(
    _ services: any Service..., isolation: isolated (any Actor)? = #isolation, body: () async throws -> T
) async throws -> T {
    var logger = Logger(label: "quarry.test.services")
    logger.logLevel = .warning
    let group = ServiceGroup(
        configuration: ServiceGroupConfiguration(
            services: services.map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .cancelGroup)
            },
            gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self, isolation: isolation) { tasks in
        tasks.addTask { try await group.run() }
        // Leaving the task group by a throw cancels and awaits the group's task.
        let result = try await body()
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return result
    }
}
