import Logging
import QuarryPostgres

extension Worker {
    /// Renews every lease this worker holds (running, or finished and waiting to be written) in one
    /// statement per interval; stops the handlers of tasks that were cancelled or taken over.
    ///
    /// Outcomes being written at that moment are left out. Their write holds their rows until it commits,
    /// so renewing them would wait for it, and the leases of every running task with them: behind a write
    /// that waits on a lock, the heartbeat stopped and running tasks' leases ran out. The two statements
    /// could also lock the same rows in opposite orders, and PostgreSQL aborted one as a deadlock after a
    /// second. A write that fails puts its outcomes back in the buffer, where the next heartbeat renews them.
    func heartbeatLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: queue.configuration.heartbeatInterval)
            if Task.isCancelled { return }
            let (running, held) = state.withLock { state in
                let running = state.running.leases
                return (running, running.map { ($0.id, $0.leaseToken) } + state.buffer.map { ($0.taskID, $0.leaseToken) })
            }
            do {
                let still = try await queue.heartbeat(worker: registration.id, held: held)
                let lost: [Task<Void, Never>] = state.withLock { state in
                    var handles: [Task<Void, Never>] = []
                    for lease in running where !still.contains(lease.id) {
                        guard var entry = state.running[slot: lease.slot, taskID: lease.id], !entry.lost else { continue }
                        entry.lost = true
                        state.running[slot: lease.slot, taskID: lease.id] = entry
                        if let handle = entry.handle { handles.append(handle) }
                    }
                    return handles
                }
                if !lost.isEmpty {
                    logger.warning("\(lost.count) task(s) were cancelled or taken over; stopping their handlers")
                    lost.forEach { $0.cancel() }
                }
            } catch {
                logger.warning("heartbeat failed (will retry next interval): \(error)")
            }
        }
    }

    /// Writes buffered outcomes every flush interval, or sooner when a batch fills.
    func flushLoop() async {
        while !Task.isCancelled {
            await flushWake.wait(timeout: queue.configuration.flushInterval)
            if Task.isCancelled { return }
            await flushOnce()
        }
    }

    /// Writes what is buffered; on a database error keeps it for the next try (leases stay renewed).
    /// `connection` is the claim loop's, when it writes a full buffer itself between claims.
    @discardableResult
    func flushOnce(on connection: PostgresConnection? = nil) async -> Bool {
        let batch: [TaskOutcome] = state.withLock { state in
            guard state.flushing.isEmpty else { return [] }
            state.flushing = state.buffer
            state.buffer.removeAll(keepingCapacity: true)
            return state.flushing
        }
        guard !batch.isEmpty else { return true }
        do {
            let report = try await queue.settle(worker: registration.id, batch, on: connection)
            state.withLock { state in
                state.flushing.removeAll()
                state.stats.completed += report.completed.count
                state.stats.failed += report.requeued.count
                state.stats.dead += report.dead.count
                state.stats.released += report.released.count
                state.stats.rejected += report.rejected.count
            }
            return true
        } catch {
            logger.warning("writing \(batch.count) outcome(s) failed, will retry: \(error)")
            state.withLock { state in
                state.buffer.insert(contentsOf: state.flushing, at: 0)
                state.flushing.removeAll()
            }
            return false
        }
    }

    /// At shutdown: keep trying to write what is buffered, for up to a minute (a restarting database).
    func finalFlush() async {
        let deadline = ContinuousClock.now + .seconds(60)
        while state.withLock({ !$0.buffer.isEmpty || !$0.flushing.isEmpty }) {
            if await flushOnce() { continue }
            if ContinuousClock.now > deadline {
                let left = state.withLock { $0.buffer.count }
                logger.error("gave up writing \(left) outcome(s); their leases will expire and the tasks will run again")
                return
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }
}
