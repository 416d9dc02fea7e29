import ArgumentParser
import QuarryQueue

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show builds, queue depth, throughput, workers, errors and dead tasks.",
        discussion: "Everything shown here is a plain SQL view in the quarry schema (SELECT * FROM quarry.build_progress, …).")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "Only this build.")
    var build: Int?

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        try await database.withPool(role: "status", maxConnections: 1) { pool in
            let queue = TaskQueue(pool: pool, configuration: QueueConfiguration(schema: database.schema))
            if let build { try await queue.requireBuild(build) }
            let sections: [(MonitorView, String)] = [
                (.buildProgress, "Builds"), (.queueDepth, "Queue depth"), (.throughput, "Completions per minute"),
                (.oldestWaiting, "Oldest waiting task"), (.workerStatus, "Workers"), (.recentErrors, "Errors (last hour)"),
                (.deadTasks, "Dead tasks"), (.unservedWork, "Waiting work no live worker can do (start a worker with that kind or endpoint)"),
            ]
            for (view, title) in sections {
                print(TableRenderer.render(try await queue.monitor(view, build: build, limit: view == .deadTasks ? 20 : 50), title: title))
                print()
            }
        }
    }
}

struct BuildsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "builds", abstract: "List builds with their progress.")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        try await database.withPool(role: "status", maxConnections: 1) { pool in
            let queue = TaskQueue(pool: pool, configuration: QueueConfiguration(schema: database.schema))
            print(TableRenderer.render(try await queue.monitor(.buildProgress), title: "Builds"))
        }
    }
}
