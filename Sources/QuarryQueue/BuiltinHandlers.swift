import Foundation

/// `noop`: completes at once with `{}`. For benchmarks and tests. When given an execution log, appends
/// the task id to it (one `write` with O_APPEND per task, so concurrent processes can share the file).
public struct NoopHandler: TaskHandler {
    let executionLog: Int32?

    public init(executionLogPath: String? = nil) {
        executionLog = executionLogPath.map { open($0, O_WRONLY | O_CREAT | O_APPEND, 0o644) }
    }

    public func handle(_ task: ClaimedTask, context: TaskContext) async throws -> TaskOutput {
        if let executionLog {
            var line = Array("\(task.id)\n".utf8)
            _ = write(executionLog, &line, line.count)
        }
        return TaskOutput(json: "{}")
    }
}

/// `sleep`: waits `ms` milliseconds (payload `{"ms": 200}`), honouring cancellation, then completes with
/// `{"slept_ms": ms}`. With `"fail_attempts": n` the first n attempts fail (retryable), for retry tests.
public struct SleepHandler: TaskHandler {
    struct Payload: Decodable {
        var ms: Int?
        var fail_attempts: Int?
    }

    public let retryStrategy: any RetryStrategy

    public init(retryStrategy: any RetryStrategy = ExponentialJitterBackoff(base: .milliseconds(100), cap: .seconds(5))) {
        self.retryStrategy = retryStrategy
    }

    public func handle(_ task: ClaimedTask, context: TaskContext) async throws -> TaskOutput {
        let payload = try task.decodePayload(Payload.self)
        let ms = payload.ms ?? 100
        try await Task.sleep(for: .milliseconds(ms))
        if let failures = payload.fail_attempts, task.attempt <= failures {
            throw TaskError.retryable("planned_failure", "attempt \(task.attempt) of \(failures) planned failures")
        }
        return TaskOutput(json: "{\"slept_ms\":\(ms)}")
    }
}
