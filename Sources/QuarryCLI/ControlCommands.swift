import ArgumentParser
import QuarryLLM
import QuarryQueue

struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause a build: its tasks are not claimed until resumed.")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Build id.") var build: Int
    @Option(help: "Why (shown in quarry status).") var reason = "paused by operator"

    func run() async throws {
        try await database.control { queue in
            try await queue.requireBuild(build)
            print(try await queue.pauseBuild(build, reason: reason) ? "build \(build) paused" : "build \(build) is not active")
        }
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume a paused build (with --retry-dead, also requeue its dead tasks).")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Build id.") var build: Int
    @Flag(help: "Also requeue the build's dead tasks with fresh attempts (e.g. those a bad key killed before the breaker paused it).")
    var retryDead = false

    func run() async throws {
        try await database.control { queue in
            try await queue.requireBuild(build)
            if retryDead { print("requeued \(try await queue.retryDead(buildID: build)) dead task(s) of build \(build)") }
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
                guard try await queue.taskExists(task) else { throw CommandError(code: .notFound, message: "there is no task \(task)") }
                print(try await queue.cancelTask(task) ? "task \(task) cancelled" : "task \(task) had already finished")
            } else if let build {
                let info = try await queue.requireBuild(build)
                guard !info.state.isFinished else {
                    throw CommandError(code: .notFound, message: "build \(build) is already \(info.state.rawValue); nothing to cancel")
                }
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
try await queue.requireBuild(build)
            print("requeued \(try await queue.retryDead(buildID: build, kind: kind)) dead task(s) of build \(build)")
        }
    }
}

extension TaskQueue {
    /// The build, or a "not found" error that makes the command exit non-zero.
    @discardableResult
    func requireBuild(_ id: Int) async throws -> BuildInfo {
        guard let info = try await build(id) else { throw CommandError.noBuild(id) }
        return info
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
        commandName: "prune",
        abstract: "Delete a build and all its tasks, results, inputs and LLM usage rows, in committed batches (no long transaction).",
        discussion: "Cached LLM answers are shared between builds and stay; see `quarry prune-cache`.")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Build id.") var build: Int
    @Option(help: "Rows per batch.") var batch = 10_000
    @Flag(help: "Keep the build's rows in llm_usage (its token and cost history).") var keepUsage = false

    func validate() throws {
        guard batch > 0 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() async throws {
        try await database.control { queue in
            try await queue.requireBuild(build)
            let tasks = try await queue.prune(buildID: build, batch: batch)
            let usage = keepUsage ? 0 : try await LLMMaintenance(pool: queue.pool, schema: database.schema).deleteUsage(buildID: build, batch: batch)
            print("pruned build \(build) (\(tasks) task(s)\(keepUsage ? "; usage kept" : ", \(usage) usage row(s)"))")
        }
    }
}

struct PruneCacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune-cache",
        abstract: "Delete cached LLM answers older than an age, in committed batches; they are paid for again if asked.",
        discussion: "Example: quarry prune-cache --older-than 30d (units: s, m, h, d).")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Age beyond which answers go: a number with s, m, h or d.") var olderThan: String
    @Option(help: "Rows per batch.") var batch = 10_000

    func validate() throws {
        guard Self.duration(olderThan) != nil else {
            throw ValidationError("--older-than must be a number followed by s, m, h or d (e.g. 30d), not '\(olderThan)'")
        }
        guard batch > 0 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() async throws {
        guard let age = Self.duration(olderThan) else { return }
        try await database.control { queue in
            let removed = try await LLMMaintenance(pool: queue.pool, schema: database.schema).pruneCache(olderThan: age, batch: batch)
            print("deleted \(removed) cached answer(s) older than \(olderThan)")
        }
    }

    /// "90s", "15m", "12h", "30d" as a duration; nil for anything else.
    static func duration(_ text: String) -> Duration? {
        // Up to 100 years: enough for any cache, and far from Duration's limits.
        guard let unit = text.last, let value = Double(text.dropLast()), value >= 0, value <= 36_500 * 86_400 else { return nil }
        let seconds: Double
        switch unit {
        case "s": seconds = value
        case "m": seconds = value * 60
        case "h": seconds = value * 3_600
        case "d": seconds = value * 86_400
        default: return nil
        }
        guard seconds <= 36_500 * 86_400 else { return nil }
        return .milliseconds(Int64(seconds * 1_000))
    }
}
