import Logging
import ServiceLifecycle

/// The one shutdown path of every long-running command: its services run in a `ServiceGroup` that turns
/// SIGTERM and SIGINT into graceful shutdown, and escalates to cancellation when graceful shutdown takes
/// longer than the command allows, and to a crash (the library's last resort) when cancellation hangs.
enum ServiceRunner {
    /// Runs `services` until the first one listed returns (then the rest shut down gracefully, in reverse
    /// order) or a signal arrives. `shutdownAllowance` is how long graceful shutdown may take.
    static func run(_ services: [any Service], shutdownAllowance: Duration = .seconds(30), logger: Logger) async throws {
        var configurations = services.map {
            ServiceGroupConfiguration.ServiceConfiguration(
                service: $0, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup)
        }
        if !configurations.isEmpty { configurations[0].successTerminationBehavior = .gracefullyShutdownGroup }
        var configuration = ServiceGroupConfiguration(
            services: configurations, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownAllowance
        configuration.maximumCancellationDuration = .seconds(30)
        try await ServiceGroup(configuration: configuration).run()
    }
}
