import Foundation
import Logging
import QuarryJSON
import QuarryLLM
import QuarryQueue
import Synchronization

/// What a typed handler sees: the build's spec and typed parameters, the LLM service, the build's
/// records (for retrieval), and typed reads of the task's lineage. The first read loads the task and all
/// its ancestors with their outputs in one query; later reads of any ancestor cost nothing.
public struct GraphContext: Sendable {
    public let task: ClaimedTask
    public let spec: StoredBuildSpec
    public let service: LLMService
    public let records: RecordStore
    let worker: TaskContext
    let lineage: LineageCache
    let memo: BuildMemo

    init(task: ClaimedTask, worker: TaskContext, spec: StoredBuildSpec, service: LLMService, memo: BuildMemo) {
        self.task = task
        self.worker = worker
        self.spec = spec
        self.service = service
        self.records = RecordStore(queue: worker.queue)
        self.lineage = LineageCache()
        self.memo = memo
    }

    /// A value derived from this build's finished tasks, computed once per worker process for `key` and
    /// shared by every task of the build that asks (e.g. a settlement over all tasks behind a barrier).
    /// Only for what cannot change once computed.
    public func memoized<Value: Sendable>(_ key: String, _ compute: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await memo.value("\(buildID)/\(key)", compute)
    }

    public var buildID: Int { task.buildID }
    public var taskID: Int { task.id }
    public var logger: Logger { worker.logger }

    /// The build's parameters as the recipe's typed struct (every value was filled and checked at submit,
    /// so defaults live only in the recipe's `RecipeParameter` list).
    public func parameters<Parameters: Decodable>(_ type: Parameters.Type) throws -> Parameters {
        do {
            return try spec.parameters.decode(Parameters.self)
        } catch {
            throw TaskError.permanent("bad_spec", "build \(buildID)'s parameters do not decode as \(Parameters.self): \(error)")
        }
    }

    /// The output of the nearest ancestor of `kind` (the parent, for a `then` child).
    public func output<Payload, Output>(of kind: TaskKind<Payload, Output>) async throws -> Output {
        let row = try await ancestor(kind.name)
        guard let output = row.output else {
            throw TaskError.permanent("missing_ancestor", "task \(taskID)'s ancestor \(row.taskID) (\(kind.name)) has no output")
        }
        return try Self.decode(Output.self, output, what: "output of task \(row.taskID) (\(kind.name))")
    }

    /// The payload of the nearest ancestor of `kind` (e.g. the seed's record).
    public func payload<Payload, Output>(of kind: TaskKind<Payload, Output>) async throws -> Payload {
        let row = try await ancestor(kind.name)
        return try Self.decode(Payload.self, row.payload, what: "payload of task \(row.taskID) (\(kind.name))")
    }

    /// In a join: the children of the joined parent of `kind`, in index order.
    public func children<Payload, Output>(_ kind: TaskKind<Payload, Output>) async throws -> [ChildResult<Output>] {
        guard let parentID = task.parentID else {
            throw TaskError.permanent("bad_payload", "task \(taskID) (\(task.kind)) has no parent, so no children to join")
        }
        return try await worker.queue.children(of: parentID, kinds: [kind.name]).map { row in
            let index = (try? JSONDecoder().decode(ChildIndex.self, from: Data(row.payload.utf8)).index) ?? 1
            return try Self.result(row, kind, index: index)
        }
    }

    /// After a barrier (`RecipeGraph.afterAll`): every task of `kind` in the build, in record order, with
    /// `index` its record's position. Read in pages; a build's tasks of one kind are final once the barrier
    /// has fired.
    public func outputs<Payload, Output>(ofAll kind: TaskKind<Payload, Output>) async throws -> [ChildResult<Output>] {
        var results: [ChildResult<Output>] = []
        for try await row in worker.queue.tasks(buildID: buildID, kinds: [kind.name]) {
            results.append(try Self.result(row, kind, index: RecordTasks.position(of: row.key) ?? 0))
        }
        return results
    }

    private static func result<Payload, Output>(_ row: TaskResultRow, _ kind: TaskKind<Payload, Output>, index: Int) throws -> ChildResult<Output> {
        ChildResult(
            taskID: row.taskID, key: row.key, index: index, state: row.state,
            output: try row.output.map { try decode(Output.self, $0, what: "output of task \(row.taskID) (\(kind.name))") }, error: row.error)
    }

    private func ancestor(_ kind: String) async throws -> TaskResultRow {
        let rows = try await lineage.rows(of: taskID, queue: worker.queue)
        guard let row = rows.dropFirst().first(where: { $0.kind == kind }) ?? rows.first(where: { $0.kind == kind }) else {
            throw TaskError.permanent("missing_ancestor", "task \(taskID) (\(task.kind)) has no ancestor of kind \(kind)")
        }
        return row
    }

    static func decode<T: Decodable>(_ type: T.Type, _ json: String, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(json.utf8))
        } catch {
            throw TaskError.permanent("bad_payload", "\(what) does not decode as \(T.self): \(error)")
        }
    }
}

/// The `index` of a child's payload (absent for a join's payload).
private struct ChildIndex: Decodable {
    var index: Int?
}

/// The lineage rows, loaded on first use. A task's ancestors never change once it exists.
final class LineageCache: Sendable {
    private let rows = Mutex<[TaskResultRow]?>(nil)

    func rows(of taskID: Int, queue: TaskQueue) async throws -> [TaskResultRow] {
        if let cached = rows.withLock({ $0 }) { return cached }
        let loaded = try await queue.lineage(of: taskID)
        rows.withLock { $0 = loaded }
        return loaded
    }
}
