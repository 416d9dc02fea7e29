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
                await pauseBuild(task.buildID, reason: reason)
                return outcome(.released)
            case .leaveToOtherWorkers(let reason):
                if block(task.buildID, for: Self.unservableBuildPeriod) {
                    taskLogger.warning(
                        "build \(task.buildID): \(reason); leaving its tasks to other workers for \(Self.unservableBuildPeriod)")
                }
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

    /// Pauses a build a handler asked to pause (credentials refused, budget spent). When the database
    /// refuses (an old schema, a role without the right), the failure is logged and this worker stops
    /// claiming the build's tasks for `blockedBuildPeriod`, instead of releasing and re-claiming them
    /// in a loop.
    func pauseBuild(_ buildID: Int, reason: String) async {
        do {
            try await queue.pauseBuild(buildID, reason: reason)
        } catch {
            if block(buildID, for: Self.blockedBuildPeriod) {
                logger.error(
                    "could not pause build \(buildID) (\(reason)): \(error); this worker will not claim its tasks for \(Self.blockedBuildPeriod)")
            }
        }
    }

    /// How long a worker leaves alone a build it should have paused but could not.
    static let blockedBuildPeriod = Duration.seconds(600)
    /// How long a worker leaves to others a build it cannot serve (a missing endpoint).
    static let unservableBuildPeriod = Duration.seconds(60)

    /// Stops claiming `buildID`'s tasks for `period`; returns whether it was not blocked already (so the
    /// reason is logged once, not once per task).
    func block(_ buildID: Int, for period: Duration) -> Bool {
        state.withLock { state in
            let now = ContinuousClock.now
            let isNew = state.blockedBuilds[buildID].map { $0 <= now } ?? true
            state.blockedBuilds[buildID] = max(state.blockedBuilds[buildID] ?? now, now + period)
            return isNew
        }
    }

    /// Builds this worker must not claim from now (it could not pause them, or cannot serve them).
    var blockedBuilds: [Int] {
        state.withLock { state in
            let now = ContinuousClock.now
            state.blockedBuilds = state.blockedBuilds.filter { $0.value > now }
            return state.blockedBuilds.keys.sorted()
        }
    }

    /// A handler stopped by cancellation: at shutdown its task is released; when the lease was lost
    /// there is nothing to write.
    private func cancelledOutcome(_ task: ClaimedTask) -> TaskOutcome? {
        let releasing = state.withLock { $0.releasing }
        return releasing ? TaskOutcome(taskID: task.id, leaseToken: task.leaseToken, kind: .released) : nil
    }
}
