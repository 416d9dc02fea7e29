import Synchronization
import QuarryQueue

/// Values a worker derives from a build's finished tasks, computed once per process and shared by every
/// task that asks (`GraphContext.memoized`): after a barrier, hundreds of tasks need the same build-wide
/// result, and each reading and decoding every sibling again would cost quadratic time.
final class BuildMemo: Sendable {
    private let entries = Mutex<[String: Task<any Sendable, any Error>]>([:])

    func value<Value: Sendable>(_ key: String, _ compute: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task = entries.withLock { entries in
            if let running = entries[key] { return running }
            let created = Task<any Sendable, any Error> { try await compute() }
            entries[key] = created
            return created
        }
        do {
            guard let value = try await task.value as? Value else {
                throw TaskError.permanent("memo_type", "the memoized value '\(key)' is not a \(Value.self)")
            }
            return value
        } catch {
            // A failed computation is not kept: the next task asking tries again.
            entries.withLock { entries in
                if entries[key] == task { entries[key] = nil }
            }
            throw error
        }
    }
}
