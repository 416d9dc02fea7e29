import ArgumentParser

/// `quarry`: the one executable. Each subcommand's `run()` stays thin; the work lives in the modules.
public struct QuarryCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "quarry",
        abstract: "A PostgreSQL-backed job queue and worker pool for building LLM training datasets.",
        discussion: """
            Start with `quarry demo`, which runs a whole build against a private PostgreSQL cluster and the \
            simulated endpoint. Point at real services with --database-url (or QUARRY_DATABASE_URL / PG* variables).
            """,
        subcommands: [
            DemoCommand.self,
            RecipesCommand.self,
            MigrateCommand.self,
            SubmitCommand.self,
            CoordinatorCommand.self,
            WorkerCommand.self,
            ExportCommand.self,
            StatusCommand.self,
            BuildsCommand.self,
            PauseCommand.self,
            ResumeCommand.self,
            CancelCommand.self,
            RetryDeadCommand.self,
            WaitCommand.self,
            EndpointsCommand.self,
            PruneCommand.self,
            PruneCacheCommand.self,
            SimulateCommand.self,
            BenchCommand.self,
        ]
    )

    public init() {}
}
