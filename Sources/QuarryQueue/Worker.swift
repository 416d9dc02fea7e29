import Foundation
import Logging
import QuarryPostgres
import ServiceLifecycle
import Synchronization

/// A worker: claims as many tasks as it has free slots, runs their handlers concurrently, renews all its
/// leases in one statement per heartbeat, and writes outcomes back in batches.
///
/// A worker is a `Service`: in a `ServiceGroup`, graceful shutdown (SIGTERM, SIGINT) stops claiming, lets
/// in-flight tasks finish within the grace period, releases the rest to `available` without consuming an
/// attempt, flushes and deregisters; cancellation (the group's escalation) does the same with no grace.
/// Outside a group, `requestShutdown()` does what graceful shutdown does.
public final class Worker: Service, Sendable {
    public let queue: TaskQueue
    public let handlers: HandlerRegistry
    public let configuration: WorkerConfiguration
    public let registration: WorkerRegistration
    let logger: Logger
    /// The part of every handler's `TaskContext` that is the same for all of this worker's tasks.
    let contextSide: TaskContext.WorkerSide

    struct State: Sendable {
        var running = RunningTasks()
        /// Outcomes waiting for the next flush, with the task they settle (kept leased until written).
        var buffer: [TaskOutcome] = []
        var flushing: [TaskOutcome] = []
        var shuttingDown = false
        /// Set when the worker was cancelled: in-flight tasks are released at once, not after the grace period.
        var noGrace = false
        /// The registration while it is being retried, so a shutdown request can cut its waits short.
        var registering: Task<Void, any Error>?
        /// The claim loop, so a shutdown request can cut short its wait for an unreachable database.
        var claiming: Task<Void, Never>?
        var releasing = false
        /// The claim loop is starting a batch and will write a full buffer itself when it is done.
        var starting = false
        /// The LISTEN connection is up (see `isListening`).
        var listening = false
        var stats = WorkerStats()
        /// Builds this worker could not pause or cannot serve, with when it may claim their tasks again.
        var blockedBuilds: [Int: ContinuousClock.Instant] = [:]
        /// Builds with a task completed here since this worker last counted a death towards their failure
        /// streak: the completion may not be written yet, so the breaker is told directly.
        var completedSinceDeath: Set<Int> = []
        /// The build last added to `completedSinceDeath` (so still in it): a batch's completions are nearly
        /// all of one build, and this spares hashing its id for each.
        var lastCompletedBuild: Int?
    }

    let state = Mutex(State())
    let claimWake = WakeSignal()
    let flushWake = WakeSignal()

    public init(queue: TaskQueue, handlers: HandlerRegistry, configuration: WorkerConfiguration, logger: Logger = Logger(label: "quarry.worker")) {
        self.queue = queue
        self.handlers = handlers
        self.configuration = configuration
        let kinds = configuration.kinds ?? handlers.kinds
        var registration = WorkerRegistration.current(version: configuration.version, concurrency: configuration.concurrency, kinds: kinds)
        registration.endpoints = configuration.endpoints
        self.registration = registration
        self.logger = logger
        contextSide = TaskContext.WorkerSide(workerID: registration.id, logger: logger, queue: queue)
    }

    /// The kinds this worker claims: the configured ones it has handlers for.
    var claimKinds: [String] {
        (configuration.kinds ?? handlers.kinds).filter { handlers[$0] != nil }
    }

    public var stats: WorkerStats { state.withLock { $0.stats } }

    /// Asks the worker to stop; `run()` returns once it has. With `immediately`, in-flight tasks are
    /// released at once instead of being given the grace period.
    public func requestShutdown(immediately: Bool = false) {
        let (first, registering, claiming) = state.withLock { state -> (Bool, Task<Void, any Error>?, Task<Void, Never>?) in
            defer {
                state.shuttingDown = true
                if immediately { state.noGrace = true }
            }
            return (!state.shuttingDown, state.registering, state.claiming)
        }
        registering?.cancel()
        // Cancelling ends the claim loop's reconnect backoff, not a claim in flight: a statement runs to its
        // end whatever its task's state, so claimed rows are always handed to their handlers.
        claiming?.cancel()
        if first {
            logger.info("worker \(registration.id) shutting down: no new claims; \(immediately ? "releasing" : "finishing") in-flight tasks")
        }
        claimWake.signal()
    }

    var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    /// Runs until graceful shutdown, cancellation or `requestShutdown()`; returns after a clean shutdown.
    public func run() async throws {
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await work()
            } onGracefulShutdown: {
                self.requestShutdown()
            }
        } onCancel: {
            self.requestShutdown(immediately: true)
        }
    }

    private func work() async throws {
        // Registration waits out a database that is down (reconnecting inside the connection, then
        // retrying here); a shutdown request cancels the wait instead of letting it run its course.
        let registering = Task { try await self.retrying("register") { try await self.queue.register(self.registration) } }
        if state.withLock({ state -> Bool in
            state.registering = registering
            return state.shuttingDown
        }) {
            registering.cancel()
        }
        do {
            try await registering.value
            state.withLock { $0.registering = nil }
        } catch where isShuttingDown {
            logger.info("worker \(registration.id) stopped before it registered")
            return
        }
        logger.info(
            "worker \(registration.id) started: concurrency \(configuration.concurrency), kinds \(claimKinds.joined(separator: ","))")
        let listener: PostgresListener? =
            configuration.listen ? try PostgresListener(configuration: queue.sessionConfiguration, channels: [queue.configuration.taskChannel]) : nil
        listener?.start()
        await withTaskGroup(of: Void.self) { group in
            if let listener {
                group.addTask {
                    for await event in listener.events { self.listenerDelivered(event) }
                }
            }
            group.addTask { await self.heartbeatLoop() }
            group.addTask { await self.flushLoop() }
            if configuration.runRescuer {
                let rescuer = Rescuer(queue: queue)
                group.addTask { try? await rescuer.run() }
            }
            // The claim loop owns a connection and runs on its queue: a claim is then a blocking call on
            // the loop's own thread rather than two thread hand-offs, and the handlers of a claimed batch
            // start on that thread (until they first suspend).
            let claims = PostgresConnection(configuration: queue.pool.configuration, logger: logger)
            let claiming = Task(executorPreference: claims.taskExecutor) { await self.claimLoop(on: claims) }
            if state.withLock({ state -> Bool in
                state.claiming = claiming
                return state.shuttingDown
            }) {
                claiming.cancel()
            }
            await claiming.value
            await claims.close()
            await drain()
            // Background loops end here: the heartbeat, rescuer and listener are no longer needed.
            listener?.stop()
            group.cancelAll()
            // The flush loop's wait does not end on cancellation, only on a signal or its interval.
            flushWake.signal()
        }
        await finalFlush()
        await deregister()
        let stats = self.stats
        logger.info(
            "worker \(registration.id) stopped: \(stats.completed) completed, \(stats.dead) dead, \(stats.failed) requeued (retries, snoozes), \(stats.released) released, \(stats.rejected) rejected")
    }

    /// Marks the worker stopped in the registry, waiting at most `deregisterPatience` for an unreachable
    /// database: the rescuer marks a silent worker gone anyway, so a stop should not wait out the pool's
    /// whole reconnect timeout for it. A statement in flight still runs to its end.
    private func deregister() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await self.queue.setWorkerState(self.registration.id, "stopped") }
            group.addTask { try? await Task.sleep(for: Self.deregisterPatience) }
            await group.next()
            group.cancelAll()
        }
    }

    static let deregisterPatience: Duration = .seconds(5)

    // MARK: Claiming

    private func claimLoop(on connection: PostgresConnection) async {
        let kinds = claimKinds
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
        // Refill in batches: when only a few slots are free, give others a moment to free up too, so a
        // busy worker makes one claim for many slots instead of one claim per finished task.
        let refillBatch = max(1, configuration.concurrency / 8)
        while !isShuttingDown {
            var free = configuration.concurrency - state.withLock { $0.running.count }
            var waited = 0
            while free > 0, free < refillBatch, waited < 4, !isShuttingDown {
                try? await Task.sleep(for: .milliseconds(5))
                waited += 1
                free = configuration.concurrency - state.withLock { $0.running.count }
            }
            var claimedAll = false
            if free > 0 {
                do {
                    let claimed = try await queue.claim(
                        worker: registration.id, limit: free, kinds: kinds, families: configuration.families, skippingBuilds: blockedBuilds,
                        on: connection)
                    backoff.reset()
                    start(claimed)
                    claimedAll = !claimed.isEmpty && claimed.count == free
                    // Tasks that finish without waiting (short ones) fill the buffer within the batch: the
                    // loop writes it on its own connection before claiming again, as a plain SQL client
                    // would, instead of waking the flush loop to write it from another thread.
                    if state.withLock({ $0.buffer.count >= queue.configuration.flushBatchSize }) {
                        await flushOnce(on: connection)
                    }
                } catch {
                    guard !isShuttingDown else { continue }  // a shutdown cut the claim's reconnect wait short
                    let delay = backoff.next()
                    logger.warning("claim failed, retrying in \(delay): \(error)")
                    await claimWake.wait(timeout: delay)  // a shutdown request ends the wait early
                    continue
                }
            }
            // Full slots, or more work likely waiting: go round again only when a slot frees or work arrives.
            if !claimedAll || free <= 0 {
                await claimWake.wait(timeout: queue.configuration.pollInterval)
            }
        }
    }

    /// Starts the handlers of a claimed batch, taking their slots under one lock.
    private func start(_ claimed: [ClaimedTask]) {
        guard !claimed.isEmpty else { return }
        let slots = state.withLock { state in
            state.starting = true
            // By index: a closure over each element copied the whole task, three strings' retains and releases.
            return claimed.indices.map { state.running.insert(taskID: claimed[$0].id, leaseToken: claimed[$0].leaseToken) }
        }
        let run = BatchRun(tasks: claimed, slots: slots)
        while let runner = run.nextRunner() {
            // Started on this thread and run until a handler first suspends (an endpoint call, a query):
            // handlers that finish without suspending cost no enqueue on the global pool, no thread
            // wake-up and no Swift task of their own (see `BatchRun`). Detached, because copying the claim
            // loop's task-local values (the service group's shutdown handler) into every runner showed up
            // in the profile, and handlers need none of them: the worker stops them through cancellation.
            let handle = Task.immediateDetached { [self] in await runHandlers(of: run, runner: runner) }
            guard let index = run.detach(runner: runner) else { continue }
            let task = claimed[index]
            let stop = state.withLock { state -> Bool in
                guard var entry = state.running[slot: slots[index], taskID: task.id] else { return false }  // finished
                entry.handle = handle
                state.running[slot: slots[index], taskID: task.id] = entry
                // Lost (heartbeat) or released (shutdown) before its handle was recorded: stopped here.
                return entry.lost || state.releasing
            }
            if stop { handle.cancel() }
        }
        state.withLock { $0.starting = false }
    }

    /// A runner of `run`: its handlers one after another until it is detached or the batch is done.
    private func runHandlers(of run: BatchRun, runner: Int) async {
        // A batch is nearly always one or two kinds: look each up once, not by hashing the name per task.
        var lastKind: String?
        var lastHandler: (any TaskHandler)?
        while let index = run.take(runner: runner) {
            let task = run.tasks[index]
            if task.kind != lastKind {
                lastKind = task.kind
                lastHandler = handlers[task.kind]
            }
            let outcome = await execute(task, handler: lastHandler)
            finish(task, slot: run.slots[index], outcome)
        }
    }

    private func finish(_ task: ClaimedTask, slot: Int, _ outcome: consuming TaskOutcome?) {
        let concurrency = configuration.concurrency
        let tracksDeaths = configuration.breakerThreshold > 0
        // Moved into the buffer, not copied: a copy was a retain and a release of each of its strings.
        var outcome = outcome
        let (flushNow, wakeClaims) = state.withLock { state -> (Bool, Bool) in
            let lost = state.running.remove(slot: slot)
            // The claim loop needs waking only when the first slot frees (it then waits a moment for a
            // refill batch by itself) or the last task ends (shutdown waits for that); a signal per task
            // was a lock and a wake-up per task for nothing.
            let free = concurrency - state.running.count
            let wakeClaims = free == 1 || state.running.isEmpty
            guard let finished = outcome.take(), lost != true else {
                state.stats.lost += 1
                return (false, wakeClaims)
            }
            if tracksDeaths, case .completed = finished.kind, state.lastCompletedBuild != task.buildID {
                state.completedSinceDeath.insert(task.buildID)
                state.lastCompletedBuild = task.buildID
            }
            state.buffer.append(finished)
            return (state.buffer.count >= queue.configuration.flushBatchSize && !state.starting, wakeClaims)
        }
        if flushNow { flushWake.signal() }
        if wakeClaims { claimWake.signal() }
    }

    // MARK: Shutdown

    /// Waits for in-flight tasks up to the grace period, then cancels the rest so they are released.
    private func drain() async {
        let deadline = ContinuousClock.now + configuration.shutdownGrace
        while state.withLock({ !$0.running.isEmpty && !$0.noGrace }) && ContinuousClock.now < deadline {
            await claimWake.wait(timeout: .milliseconds(100))
        }
        let remaining = state.withLock { state -> [Task<Void, Never>] in
            state.releasing = true
            return state.running.handles
        }
        if !remaining.isEmpty {
            logger.info("grace period over: releasing \(remaining.count) task(s) back to the queue")
            for handle in remaining { handle.cancel() }
            for handle in remaining { await handle.value }
        }
    }

    /// Retries a bookkeeping statement through connection trouble, until it succeeds or shutdown is
    /// requested (then throws `ShutdownRequested`). Errors that waiting cannot fix (bad credentials, a
    /// missing table) are thrown at once.
    func retrying(_ what: String, _ body: @Sendable () async throws -> Void) async throws {
        try await Backoff(initial: .milliseconds(100), maximum: .seconds(5)).retrying(
            shouldRetry: { error in (error as? PostgresError)?.isRetryable == true && !self.isShuttingDown },
            onRetry: { error, delay in self.logger.warning("\(what) failed, retrying in \(delay): \(error)") }
        ) {
            if isShuttingDown { throw ShutdownRequested() }
            try await body()
        }
    }
}

/// Thrown out of a wait that a shutdown request ended.
struct ShutdownRequested: Error {}

/// Counters a worker keeps about itself.
public struct WorkerStats: Sendable, Equatable {
    public var completed = 0
    public var failed = 0
    public var dead = 0
    public var released = 0
    /// Outcomes the database refused because the lease had been taken over.
    public var rejected = 0
    /// Handlers stopped because their task was cancelled or taken over.
    public var lost = 0
}
