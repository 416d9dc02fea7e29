/// Several LLM calls of one handler, run at the same time, every one to its end.
///
/// A throwing task group cancels its other children as soon as one throws. For LLM calls that loses
/// money: a call cancelled in flight is usually paid for all the same (the endpoint goes on generating the
/// answer after the client has gone), its answer never reaches the response cache, and the task's retry
/// pays for it again. Here a failure waits for the other calls, so every answer already paid for is cached
/// before the task fails, and the retry finds it there.
public enum ConcurrentCalls {
    /// Runs `calls` concurrently and returns their values in the order given. When some throw, the error of
    /// the first of those in that order is thrown, after every call has ended. Cancelling the caller (a lost
    /// lease, a shutdown) still cancels every call.
    public static func all<Value: Sendable>(_ calls: [@Sendable () async throws -> Value]) async throws -> [Value] {
        let outcomes = await withTaskGroup(of: (Int, Result<Value, any Error>).self) { group in
            for (index, call) in calls.enumerated() {
                group.addTask {
                    do {
                        return (index, .success(try await call()))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var outcomes: [(Int, Result<Value, any Error>)] = []
            outcomes.reserveCapacity(calls.count)
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        return try outcomes.sorted { $0.0 < $1.0 }.map { try $0.1.get() }
    }
}
