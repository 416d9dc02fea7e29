import QuarryQueue

/// What a recipe's exporter gets: the build, its stored spec, the queue to stream tasks from, the build's
/// records, and the folder to write into.
public struct ExportContext {
    public let build: BuildInfo
    public let spec: StoredBuildSpec
    public let queue: TaskQueue
    public let directory: ExportDirectory

    public var records: RecordStore { RecordStore(queue: queue) }

    /// Streams the build's tasks (of `kinds`, or all) grouped per input record, records in input order and
    /// each record's tasks in numeric key order (a chain's tasks follow the task they come from). One
    /// record's tasks are held at a time: memory grows only by the 8 bytes a task of the build's sorted ids.
    public func forEachRecord(kinds: [String]? = nil, _ body: (RecordTasks) async throws -> Void) async throws {
        var current: RecordTasks?
        for try await task in queue.tasks(buildID: build.id, kinds: kinds) {
            guard let position = RecordTasks.position(of: task.key) else { continue }
            if let group = current, group.position != position {
                try await body(group)
                current = nil
            }
            if current == nil { current = RecordTasks(position: position, tasks: []) }
            current?.tasks.append(task)
        }
        if let current { try await body(current) }
    }
}
