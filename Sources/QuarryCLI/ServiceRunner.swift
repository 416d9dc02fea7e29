import Logging
import ServiceLifecycle

/// The one shutdown path of every long-running command: its services run in a `ServiceGroup` that turns
/// SIGTERM and SIGINT into graceful shutdown, and escalates to cancellation when graceful shutdown takes
/// longer than the command allows, and to a crash (the library's last resort) when cancellation hangs.
enum ServiceRunner {
    /// Runs `services` until the first one listed returns (then the rest shut down gracefully, in reverse
    /// order) or a signal arrives. `shutdownAllowance` is how long graceful shutdown may take.
    ///
    /// `stoppingLast` start before `services` and, since a group shuts down in reverse order, stop after all
    /// of them: work `services` still do while they drain (a worker finishing its tasks) needs them.
    static func run(
        _ services: [any Service], stoppingLast: [any Service] = [], shutdownAllowance: Duration = .seconds(30), logger: Logger
    ) async throws {
        var configurations = (stoppingLast + services).map {
            ServiceGroupConfiguration.ServiceConfiguration(
                service: $0, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup)
        }
        if !services.isEmpty { configurations[stoppingLast.count].successTerminationBehavior = .gracefullyShutdownGroup }
        var configuration = ServiceGroupConfiguration(
            services: configurations, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownAllowance
        configuration.maximumCancellationDuration = .seconds(30)
        try await ServiceGroup(configuration: configuration).run()
    }
}
