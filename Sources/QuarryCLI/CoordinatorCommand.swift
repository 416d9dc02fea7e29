import ArgumentParser
import Foundation
import QuarryQueue
import QuarryRecipes

struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Seed and expand builds through their recipes' task graphs, and mark them completed.",
        discussion: """
            Runs every recipe's graph (\(RecipeCatalog.standard.names.joined(separator: ", "))). Start one or more: one leads \
            (advisory lock), the others stand by and take over if it dies; expansion is idempotent, so a kill -9 \
            mid-pass creates no duplicate tasks. Prints a progress line per build every --progress-seconds. \
            SIGTERM or Ctrl-C stops it.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var queueOptions: QueueOptions

    @Option(help: "Seconds between progress lines (0 for none).")
    var progressSeconds: Double = 5

    func validate() throws {
        try QueueOptions.check("--progress-seconds", progressSeconds, in: 0...86_400)
    }

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        try await database.withPool(role: "coordinator", maxConnections: 4) { pool in
            let queue = TaskQueue(pool: pool, configuration: queueOptions.configuration(schema: database.schema))
            try await queue.checkSchema()
            let coordinator = Coordinator(queue: queue, graphs: RecipeCatalog.standard.graphs)
            let coordinating = Task { await coordinator.run() }
            let signals = ShutdownSignals { coordinating.cancel() }
            defer { signals.cancel() }
            let interval = progressSeconds
            let reporting: Task<Void, Never>? = interval > 0 ? Task {
                let monitor = BuildProgressMonitor(queue: queue)
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(Int64(interval * 1_000)))
                    guard !Task.isCancelled else { break }
                    do {
                        // Unbuffered, so lines show up at once when stdout is a file or a pipe.
                        for line in try await monitor.lines() { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
                    } catch {
                        FileHandle.standardError.write(Data("progress: \(error)\n".utf8))
                    }
                }
            } : nil
            await coordinating.value
            reporting?.cancel()
            await reporting?.value
        }
    }
}
