import Logging

extension Worker {
    /// Runs the task's handler and turns what happened into an outcome. nil means "write nothing":
    /// the task was cancelled or taken over while running.
    func execute(_ task: ClaimedTask) async -> TaskOutcome? {
        guard let handler = handlers[task.kind] else {
            return TaskOutcome(
                taskID: task.id, leaseToken: task.leaseToken,
                kind: .failed(errorClass: "no_handler", message: "worker \(registration.id) has no handler for kind \(task.kind)", retryDelay: .seconds(5)))
        }
        var taskLogger = logger
        taskLogger[metadataKey: "task"] = "\(task.id)"
        taskLogger[metadataKey: "kind"] = "\(task.kind)"
        let context = TaskContext(workerID: registration.id, logger: taskLogger, queue: queue)
        func outcome(_ kind: TaskOutcome.Kind) -> TaskOutcome {
            TaskOutcome(taskID: task.id, leaseToken: task.leaseToken, kind: kind)
        }
        do {
            let output = try await handler.handle(task, context: context)
            if Task.isCancelled { return cancelledOutcome(task) }
            return outcome(.completed(output))
        } catch let error as TaskError {
            switch error.action {
            case .retry(let after):
                let delay = after ?? handler.retryStrategy.delay(afterAttempt: task.attempt)
                taskLogger.info("attempt \(task.attempt)/\(task.maxAttempts) failed: \(error)")
                return outcome(.failed(errorClass: error.errorClass, message: error.message, retryDelay: delay))
            case .snooze(let after):
                return outcome(.snoozed(errorClass: error.errorClass, message: error.message, delay: after))
            case .dead:
                taskLogger.warning("task is dead: \(error)")
                return outcome(.dead(errorClass: error.errorClass, message: error.message))
            case .pauseBuild(let reason):
                _ = try? await queue.pauseBuild(task.buildID, reason: reason)
                return outcome(.released)
            }
        } catch is CancellationError {
            return cancelledOutcome(task)
        } catch {
            if Task.isCancelled { return cancelledOutcome(task) }
            let delay = handler.retryStrategy.delay(afterAttempt: task.attempt)
            taskLogger.info("attempt \(task.attempt)/\(task.maxAttempts) failed: \(error)")
            return outcome(.failed(errorClass: "error", message: String(describing: error), retryDelay: delay))
        }
    }

    /// A handler stopped by cancellation: at shutdown its task is released; when the lease was lost
    /// there is nothing to write.
    private func cancelledOutcome(_ task: ClaimedTask) -> TaskOutcome? {
        let releasing = state.withLock { $0.releasing }
        return releasing ? TaskOutcome(taskID: task.id, leaseToken: task.leaseToken, kind: .released) : nil
    }
}
