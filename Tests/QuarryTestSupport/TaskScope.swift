import Synchronization

/// Tasks a test starts and stops at moments of its own choosing (a coordinator that must stop while
/// another keeps running). `withTaskScope` cancels and awaits whichever are still running when its body
/// ends, returning or throwing, so none outlives the test. For services that run for the whole of a
/// stretch of a test, `whileRunning` reads better.
public final class TaskScope: Sendable {
    private let tasks = Mutex<[Task<Void, any Error>]>([])

    /// Starts `operation` in a task of the scope.
    @discardableResult
    public func start(_ operation: @escaping @Sendable () async throws -> Void) -> Task<Void, any Error> {
        let task = Task { try await operation() }
        tasks.withLock { $0.append(task) }
        return task
    }

    func cancelAndAwaitAll() async {
        let all = tasks.withLock { $0 }
        all.forEach { $0.cancel() }
        for task in all { _ = await task.result }
    }
}

public func withTaskScope<T>(isolation: isolated (any Actor)? = #isolation, _ body: (TaskScope) async throws -> T) async throws -> T {
    try await withTearDown(of: TaskScope(), tearDown: { await $0.cancelAndAwaitAll() }, body)
}
