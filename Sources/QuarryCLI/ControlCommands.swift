import ArgumentParser
import QuarryQueue

struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause a build: its tasks are not claimed until resumed.")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Build id.") var build: Int
    @Option(help: "Why (shown in quarry status).") var reason = "paused by operator"

    func run() async throws {
        try await database.control { queue in
            print(try await queue.pauseBuild(build, reason: reason) ? "build \(build) paused" : "build \(build) is not active")
        }
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused build.")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Build id.") var build: Int

    func run() async throws {
        try await database.control { queue in
            print(try await queue.resumeBuild(build) ? "build \(build) resumed" : "build \(build) is not paused")
        }
    }
}

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a build (or one task with --task): waiting tasks are cancelled, running ones stop at their next heartbeat.")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Build id.") var build: Int?
    @Option(help: "Cancel only this task.") var task: Int?

    func validate() throws {
        if (build == nil) == (task == nil) { throw ValidationError("give a build id or --task ID (one of them)") }
    }

    func run() async throws {
        try await database.control { queue in
            if let task {
                print(try await queue.cancelTask(task) ? "task \(task) cancelled" : "task \(task) had already finished")
            } else if let build {
                print("build \(build) cancelled (\(try await queue.cancelBuild(build)) task(s))")
            }
        }
    }
}

struct RetryDeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry-dead", abstract: "Requeue a build's dead tasks with fresh attempts.")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Build id.") var build: Int
    @Option(help: "Only tasks of this kind.") var kind: String?

    func run() async throws {
        try await database.control { queue in
            print("requeued \(try await queue.retryDead(buildID: build, kind: kind)) dead task(s) of build \(build)")
        }
    }
}

extension DatabaseOptions {
    /// Runs a one-shot control action against the queue.
    func control(_ body: (TaskQueue) async throws -> Void) async throws {
        LogSetup.bootstrap(level: logLevel)
        try await withPool(role: "control", maxConnections: 1) { pool in
            try await body(TaskQueue(pool: pool, configuration: QueueConfiguration(schema: schema)))
        }
    }
}

struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Delete a build and all its tasks, results and inputs, in committed batches (no long transaction).")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Build id.") var build: Int
    @Option(help: "Rows per batch.") var batch = 10_000

    func run() async throws {
        try await database.control { queue in
            print("pruned build \(build) (\(try await queue.prune(buildID: build, batch: batch)) task(s))")
        }
    }
}
