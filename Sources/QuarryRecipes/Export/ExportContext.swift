import QuarryQueue

/// What a recipe's exporter gets: the build, its stored spec, the queue to stream tasks from, and the
/// folder to write into.
public struct ExportContext {
    public let build: BuildInfo
    public let spec: StoredBuildSpec
    public let queue: TaskQueue
    public let directory: ExportDirectory
}
