import QuarryLLM
import QuarryQueue

extension RecipeError {
    /// A spec problem found while running a task: no retry can fix it, so the task goes dead with the reason.
    public var taskError: TaskError { .permanent("bad_spec", description) }
}

/// How recipe handlers turn failures into queue decisions.
enum HandlerFailures {
    /// Runs `body`, turning LLM failures into the `TaskError` the LLM layer prescribes (snooze on 429,
    /// retry on 5xx, dead on 4xx, pause the build on spent budget) and spec problems into dead tasks.
    /// Cancellation and other errors pass through (the queue retries those).
    static func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RecipeError {
            throw error.taskError
        } catch {
            throw LLMError.queueError(for: error)
        }
    }
}
