import Foundation
import QuarryQueue

/// One input record's tasks, as an exporter reads them: in numeric key order, each decodable as its kind.
public struct RecordTasks: Sendable {
    /// The record's position in the input (from its seed keys, `r<position>/…`).
    public var position: Int
    public var tasks: [TaskResultRow]

    /// The record position a task key starts with, if it is a seeded chain's key.
    static func position(of key: String) -> Int? {
        guard key.hasPrefix("r"), let slash = key.firstIndex(of: "/") else { return nil }
        return Int(key[key.index(after: key.startIndex)..<slash])
    }

    /// The tasks of `kind`, in key order.
    public func all<Payload, Output>(_ kind: TaskKind<Payload, Output>) -> [TaskResultRow] {
        tasks.filter { $0.kind == kind.name }
    }

    /// The tasks of `kind` whose keys are under `parent`'s (its descendants of that kind).
    public func descendants<Payload, Output>(of parent: TaskResultRow, _ kind: TaskKind<Payload, Output>) -> [TaskResultRow] {
        tasks.filter { $0.kind == kind.name && $0.key.hasPrefix(parent.key + "/") }
    }
}

extension TaskResultRow {
    /// The task's output decoded as `kind`'s, when it completed.
    public func output<Payload, Output>(as kind: TaskKind<Payload, Output>) throws -> Output? {
        guard let output else { return nil }
        return try Self.decodeForExport(Output.self, output, task: self)
    }

    /// The task's payload decoded as `kind`'s.
    public func payload<Payload, Output>(as kind: TaskKind<Payload, Output>) throws -> Payload {
        try Self.decodeForExport(Payload.self, payload, task: self)
    }

    /// Dead or cancelled.
    public var failed: Bool { state == .dead || state == .cancelled }

    static func decodeForExport<T: Decodable>(_ type: T.Type, _ json: String, task: TaskResultRow) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(json.utf8))
        } catch {
            throw RecipeError(.exportFailed, "task \(task.taskID) (\(task.key)) does not decode as \(T.self): \(error)")
        }
    }
}
