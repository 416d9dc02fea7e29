import Logging

extension Worker {
    /// Runs the task's handler and turns what happened into an outcome. nil means "write nothing":
    /// the task was cancelled or taken over while running.
    ///
    /// Only the path of a handler that returns is here; every other path is in `failedOutcome`. An async
    /// function's frame holds the locals of all its paths and is allocated from the task's first slab,
    /// which is small: with the failure paths inline the frame overflowed it, and every task paid for
    /// a slab from malloc and its free.
    nonisolated(nonsending) func execute(_ task: ClaimedTask, handler: (any TaskHandler)?) async -> TaskOutcome? {
        guard let handler else { return noHandlerOutcome(task) }
        do {
            let output = try await handler.handle(task, context: context(for: task))
            if Task.isCancelled { return cancelledOutcome(task) }
            return TaskOutcome(taskID: task.id, leaseToken: task.leaseToken, kind: .completed(output))
        } catch {
            return await failedOutcome(task, handler: handler, error: error)
        }
    }

    private func context(for task: ClaimedTask) -> TaskContext {
        TaskContext(worker: contextSide, taskID: task.id, kind: task.kind)
    }

    @inline(never)
    private func noHandlerOutcome(_ task: ClaimedTask) -> TaskOutcome {
        TaskOutcome(
            taskID: task.id, leaseToken: task.leaseToken,
            kind: .failed(errorClass: "no_handler", message: "worker \(registration.id) has no handler for kind \(task.kind)", retryDelay: .seconds(5)))
    }

    /// The outcome of a handler that threw: retried, snoozed, dead, released, or nothing (cancelled).
    @inline(never)
    private func failedOutcome(_ task: ClaimedTask, handler: any TaskHandler, error: any Error) async -> TaskOutcome? {
        let context = context(for: task)
        func outcome(_ kind: TaskOutcome.Kind) -> TaskOutcome {
            TaskOutcome(taskID: task.id, leaseToken: task.leaseToken, kind: kind)
        }
        if error is CancellationError { return cancelledOutcome(task) }
        guard let error = error as? TaskError else {
            if Task.isCancelled { return cancelledOutcome(task) }
            let delay = handler.retryStrategy.delay(afterAttempt: task.attempt)
            context.logger.info("attempt \(task.attempt)/\(task.maxAttempts) failed: \(error)")
            return outcome(.failed(errorClass: "error", message: String(describing: error), retryDelay: delay))
        }
        if let reason = await systemicPause(task, error) {
            context.logger.warning("pausing build \(task.buildID) by the systemic-failure breaker: \(reason)")
            await pauseBuild(task.buildID, reason: reason)
            return outcome(.released)
        }
        switch error.action {
        case .retry(let after):
            let delay = after ?? handler.retryStrategy.delay(afterAttempt: task.attempt)
            context.logger.info("attempt \(task.attempt)/\(task.maxAttempts) failed: \(error)")
            return outcome(.failed(errorClass: error.errorClass, message: error.message, retryDelay: delay))
        case .snooze(let after):
            return outcome(.snoozed(errorClass: error.errorClass, message: error.message, delay: after))
        case .dead:
            context.logger.warning("task is dead: \(error)")
            return outcome(.dead(errorClass: error.errorClass, message: error.message))
        case .pauseBuild(let reason):
            await pauseBuild(task.buildID, reason: reason)
            return outcome(.released)
        case .leaveToOtherWorkers(let reason):
            if block(task.buildID, for: Self.unservableBuildPeriod) {
                context.logger.warning(
                    "build \(task.buildID): \(reason); leaving its tasks to other workers for \(Self.unservableBuildPeriod)")
            }
            return outcome(.released)
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

    /// The systemic-failure breaker: when this error would kill the task (dead now, or its last attempt)
    /// and carries a signature, counts the death towards the build's streak; at `breakerThreshold` in a
    /// row returns the reason to pause the build with (the task is then released, not killed).
    private func systemicPause(_ task: ClaimedTask, _ error: TaskError) async -> String? {
        guard configuration.breakerThreshold > 0, let signature = error.signature else { return nil }
        let kills: Bool
        switch error.action {
        case .dead: kills = true
        case .retry: kills = task.attempt >= task.maxAttempts
        case .snooze, .pauseBuild, .leaveToOtherWorkers: kills = false
        }
        guard kills else { return nil }
        do {
            let completedHere = state.withLock { state in
                if state.lastCompletedBuild == task.buildID { state.lastCompletedBuild = nil }
                return state.completedSinceDeath.remove(task.buildID) != nil
            }
            let streak = try await queue.recordDeath(buildID: task.buildID, signature: signature, restart: completedHere)
            guard streak >= configuration.breakerThreshold else { return nil }
            return "\(signature.summary) for \(streak) tasks in a row; \(signature.hint) "
                + "(then `quarry resume \(task.buildID) --retry-dead` requeues the tasks that died)"
        } catch {
            logger.warning("could not count a task death towards the failure streak of build \(task.buildID): \(error)")
            return nil
        }
    }

    /// A handler stopped by cancellation: at shutdown its task is released; when the lease was lost
    /// there is nothing to write.
    private func cancelledOutcome(_ task: ClaimedTask) -> TaskOutcome? {
        let releasing = state.withLock { $0.releasing }
        return releasing ? TaskOutcome(taskID: task.id, leaseToken: task.leaseToken, kind: .released) : nil
    }
}
