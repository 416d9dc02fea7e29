import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import QuarryQueue
import QuarryRecipes

struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Seed and expand builds through their recipes' task graphs, and end them: completed, completed_with_errors or failed.",
        discussion: """
            Runs every recipe's graph (\(RecipeCatalog.standard.names.joined(separator: ", "))). Start one or more: one leads \
            (advisory lock), the others stand by and take over if it dies; expansion is idempotent, so a kill -9 \
            mid-pass creates no duplicate tasks. Prints a progress line per build every --progress-seconds. \
            SIGTERM or Ctrl-C stops it (no work is lost: a pass cut short is redone by the next leader).
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var queueOptions: QueueOptions

    @Option(help: "Seconds between progress lines (0 for none).")
    var progressSeconds: Double = 5

    func validate() throws {
        guard (0...86_400).contains(progressSeconds) else { throw ValidationError("--progress-seconds must be between 0 and 86400") }
    }

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        // Builds carry their graphs, but a graph whose kinds no worker of this version can run would stall:
        // refuse to start rather than expand into tasks nobody claims.
        try RecipeCatalog.standard.checkRegistrations()
        try await database.withPool(role: "coordinator", maxConnections: 4, pooled: queueOptions.listenURL != nil) { pool in
            let queue = TaskQueue(pool: pool, configuration: queueOptions.configuration(database: database, role: "coordinator"))
            let coordinator = Coordinator(queue: queue)
            var services: [any Service] = [coordinator]
            if progressSeconds > 0 {
                services.append(ProgressReporter(queue: queue, interval: .milliseconds(Int64(progressSeconds * 1_000))))
            }
            try await ServiceRunner.run(services, logger: Logger(label: "quarry.coordinator"))
        }
    }
}
