import CCurl
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one libcurl multi handle and the thread that drives it.
///
/// Callers never touch libcurl: they put transfers (and cancellations) into a lock-protected inbox
/// and poke the driver (`CurlWaiter.wake`). The driver thread is event-driven: libcurl tells it which
/// sockets to watch (`CURLMOPT_SOCKETFUNCTION`) and when its next timeout is due
/// (`CURLMOPT_TIMERFUNCTION`); the driver sleeps in `epoll_wait` on exactly those sockets plus a wake-up
/// eventfd, and hands each ready socket to `curl_multi_socket_action`. Work per wake-up is therefore
/// proportional to the sockets that are ready, not to the number of requests in flight. Each loop
/// drains the inbox once, runs libcurl, then harvests `curl_multi_info_read` completions as one batch.
///
/// `@unchecked Sendable`: the state shared between threads is the `inbox` and `lifecycle`, each
/// guarded by its own lock. Everything else (`active`, `pool`, the caches, the waiter's epoll set and
/// timer, and the multi handle's transfer state) is touched only by the driver thread, including from
/// the libcurl callbacks, which run on it inside `curl_multi_socket_action`. The one thing other
/// threads do besides the inbox is `waiter.wake()` (a write to an eventfd, or `curl_multi_wakeup`
/// where there is no epoll; both thread-safe), made only while holding the inbox lock with
/// `stopping == false`, so never after the driver has begun tearing down.
final class CurlMultiDriver: TaskExecutor, @unchecked Sendable {
    private struct Inbox {
        var adds: [CurlTransfer] = []
        var cancels: [CurlTransfer] = []
        /// Swift jobs enqueued from other threads on this driver as a `TaskExecutor`.
        var jobs: [UnownedJob] = []
        var stopping = false
        /// A wake-up was sent since the driver last drained the inbox; more would be redundant
        /// syscalls when a burst of requests is submitted.
        var wakeupPending = false
        /// Transfers submitted and not yet finished (approximate; for observability).
        var inFlight = 0
    }

    private struct Lifecycle {
        var thread: DriverThread?
        var joined = false
    }

    private let multi: UnsafeMutableRawPointer
    private let configuration: HTTPClient.Configuration
    private let logger: Logger
    private let inbox = Mutex(Inbox())
    private let lifecycle = Mutex(Lifecycle())
    private let waiter: CurlWaiter

    // Driver-thread state.
    /// Attached transfers; each knows its index (`activeIndex`), and libcurl hands it back through
    /// `CURLINFO_PRIVATE`, so there is no lookup table to hash into.
    private var active: [CurlTransfer] = []
    private var pool: CurlEasyPool
    private var headerCache = CurlHeaderListCache()
    /// Transfers whose result is decided this loop; resumed together after one lock round-trip.
    private var completed: [(transfer: CurlTransfer, result: Result<HTTPResponse, any Error>)] = []
    /// Jobs enqueued from the driver thread itself (typically a task resumed by `flushCompletions`),
    /// run later in the same loop without a lock or a wake-up.
    private var localJobs: [UnownedJob] = []
    /// Work was handed to the inbox from the driver thread itself, without a wake-up: the next wait
    /// must not block.
    private var inboxTouchedLocally = false
    /// The driver thread's id while it runs (0 otherwise), to tell its own calls from other threads'.
    private let runningThread = Atomic<UInt>(0)

    init(configuration: HTTPClient.Configuration, logger: Logger) throws(HTTPClientError) {
        guard let multi = curl_multi_init() else {
            throw HTTPClientError(code: .other, message: "curl_multi_init failed", url: "")
        }
        guard let waiter = CurlWaiter(multi: multi, backstop: configuration.pollInterval, logger: logger) else {
            curl_multi_cleanup(multi)
            throw HTTPClientError(code: .other, message: "could not create the HTTP driver's epoll set or eventfd", url: "")
        }
        self.multi = multi
        self.waiter = waiter
        self.configuration = configuration
        self.logger = logger
        self.pool = CurlEasyPool(maxIdle: configuration.maxIdleEasyHandles)

        _ = quarry_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, configuration.http2 ? CURLPIPE_MULTIPLEX : CURLPIPE_NOTHING)
        _ = quarry_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, max(0, configuration.maxTotalConnections))
        _ = quarry_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(0, configuration.maxConnectionsPerHost))
        _ = quarry_curl_multi_setopt_long(multi, CURLMOPT_MAX_CONCURRENT_STREAMS, max(1, configuration.maxConcurrentStreams))
        if let cached = configuration.maxCachedConnections {
            _ = quarry_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(0, cached))
        }
        waiter.install()
    }

    deinit {
        // When the thread ran, it cleaned the multi handle up on its way out (and it held a reference
        // to us until then, so we cannot get here earlier). Otherwise it is ours to free.
        if lifecycle.withLock({ $0.thread == nil }) {
            curl_multi_cleanup(multi)
        }
        waiter.closeDescriptors()
    }

    /// Starts the driver thread. Called once, from `HTTPClient.init`.
    func start() throws(HTTPClientError) {
        // The closure keeps the driver alive until the thread returns from `run()`.
        guard let thread = DriverThread.spawn({ self.run() }) else {
            throw HTTPClientError(code: .other, message: "could not start the HTTP driver thread", url: "")
        }
        lifecycle.withLock { $0.thread = thread }
    }

    /// Hands a transfer to the driver. Returns false once shut down; the caller then still owns the
    /// continuation and must resume it.
    func submit(_ transfer: CurlTransfer) -> Bool {
        let local = isDriverThread
        let accepted = inbox.withLock { inbox in
            guard !inbox.stopping else { return false }
            inbox.adds.append(transfer)
            inbox.inFlight += 1
            // On the driver thread (a task running on it as its executor) the loop is awake already.
            if !local { wakeLocked(&inbox) }
            return true
        }
        if local, accepted { inboxTouchedLocally = true }
        return accepted
    }

    /// Whether the caller is this driver's thread.
    var isDriverThread: Bool {
        #if canImport(Glibc)
        let current = UInt(pthread_self())
        return runningThread.load(ordering: .relaxed) == current
        #else
        return false
        #endif
    }

    /// Asks the driver to abandon a transfer; it resumes it with `CancellationError` unless it has
    /// already finished. Safe to call before `submit` and from any thread.
    func cancel(_ transfer: CurlTransfer) {
        inbox.withLock { inbox in
            guard !inbox.stopping else { return }
            inbox.cancels.append(transfer)
            wakeLocked(&inbox)
        }
    }

    /// Transfers submitted and not yet completed.
    var inFlightCount: Int {
        inbox.withLock { $0.inFlight }
    }

    /// Fails every queued and running transfer with `.shutdown`, stops the driver thread and waits for
    /// it to exit. Idempotent; concurrent callers all return after the thread has exited.
    func shutdown() {
        inbox.withLock { inbox in
            guard !inbox.stopping else { return }
            inbox.stopping = true
            waiter.wake()
        }
        lifecycle.withLock { lifecycle in
            guard !lifecycle.joined else { return }
            lifecycle.joined = true
            lifecycle.thread?.join()
        }
    }

    // MARK: TaskExecutor

    /// Runs `job` on the driver thread. From the driver thread itself this is a plain append; from
    /// elsewhere it goes through the inbox with a wake-up. After shutdown, jobs go to the global
    /// executor so that no task is stranded.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if isDriverThread {
            localJobs.append(job)
            return
        }
        let accepted = inbox.withLock { inbox in
            guard !inbox.stopping else { return false }
            inbox.jobs.append(job)
            wakeLocked(&inbox)
            return true
        }
        if !accepted { globalConcurrentExecutor.enqueue(job) }
    }

    private func wakeLocked(_ inbox: inout Inbox) {
        if !inbox.wakeupPending {
            inbox.wakeupPending = true
            waiter.wake()
        }
    }

    // MARK: Driver thread

    private func run() {
        logger.debug("HTTP driver started")
        #if canImport(Glibc)
        runningThread.store(UInt(pthread_self()), ordering: .relaxed)
        #endif
        var adds: [CurlTransfer] = []
        var cancels: [CurlTransfer] = []
        var jobs: [UnownedJob] = []

        while true {
            // Sleeps until a watched socket is ready, libcurl's timer is due or a wake-up arrives, and
            // runs libcurl for the ready sockets. Returns whether the inbox may hold new work. Does not
            // sleep when jobs or locally submitted transfers are waiting.
            let mustNotBlock = !localJobs.isEmpty || inboxTouchedLocally
            inboxTouchedLocally = false
            let woken = waiter.wait(blocking: !mustNotBlock) || mustNotBlock
            if woken {
                let stopping = inbox.withLock { inbox in
                    swap(&adds, &inbox.adds)
                    swap(&cancels, &inbox.cancels)
                    jobs.append(contentsOf: inbox.jobs)
                    inbox.jobs.removeAll(keepingCapacity: true)
                    inbox.wakeupPending = false
                    return inbox.stopping
                }
                if stopping {
                    // Cancels first, so a task that was cancelled sees CancellationError, not .shutdown.
                    for transfer in cancels { cancelTransfer(transfer) }
                    for transfer in adds {
                        if transfer.phase == .cancelledBeforeStart {
                            finish(transfer, .failure(CancellationError()))
                        } else {
                            finish(transfer, .failure(shutdownError(transfer)))
                        }
                    }
                    localJobs.append(contentsOf: jobs)
                    jobs.removeAll()
                    break
                }
                // Adds before cancels: a cancel that arrived in the same batch as its add must find the
                // transfer running (or, if the cancel came first, already marked `cancelledBeforeStart`).
                for transfer in adds { startTransfer(transfer) }
                adds.removeAll(keepingCapacity: true)
                for transfer in cancels { cancelTransfer(transfer) }
                cancels.removeAll(keepingCapacity: true)
            }
            // New handles set libcurl's timer to "now", so this starts the whole batch in one call.
            waiter.runDueTimer()
            reapCompletions()
            flushCompletions()
            // Tasks running on this driver as their executor: those resumed just now and those
            // enqueued from elsewhere. Jobs they enqueue in turn wait for the next loop, so sockets are
            // never starved.
            jobs.append(contentsOf: localJobs)
            localJobs.removeAll(keepingCapacity: true)
            for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
            jobs.removeAll(keepingCapacity: true)
        }

        let abandoned = active.count
        for transfer in active {
            if let easy = transfer.easy { _ = curl_multi_remove_handle(multi, easy.raw) }
            transfer.activeIndex = -1
            recycle(transfer)
            finish(transfer, .failure(shutdownError(transfer)))
        }
        active.removeAll()
        flushCompletions()
        pool.removeAll()
        headerCache.removeAll()
        curl_multi_cleanup(multi)
        // From here on jobs for this executor go to the global one (see `enqueue`); hand over those
        // still queued so no task is left suspended.
        runningThread.store(0, ordering: .relaxed)
        let leftover = inbox.withLock { inbox in
            defer { inbox.jobs.removeAll() }
            return inbox.jobs
        }
        for job in localJobs + leftover { globalConcurrentExecutor.enqueue(job) }
        localJobs.removeAll()
        logger.debug("HTTP driver stopped", metadata: ["abandoned": "\(abandoned)"])
    }

    private func startTransfer(_ transfer: CurlTransfer) {
        switch transfer.phase {
        case .pending:
            break
        case .cancelledBeforeStart:
            finish(transfer, .failure(CancellationError()))
            return
        case .running, .finished:
            return
        }
        guard let easy = pool.acquire() else {
            finish(transfer, .failure(HTTPClientError(code: .other, message: "curl_easy_init failed", url: transfer.request.url)))
            return
        }
        transfer.easy = easy
        if let error = transfer.configure(
            easy, configuration: configuration, headerCache: &headerCache, closeSocketContext: waiter.closeSocketContext)
        {
            recycle(transfer)
            finish(transfer, .failure(error))
            return
        }
        let addCode = curl_multi_add_handle(multi, easy.raw)
        guard addCode == CURLM_OK else {
            recycle(transfer)
            let message = String(cString: curl_multi_strerror(addCode))
            finish(transfer, .failure(HTTPClientError(code: .other, message: "curl_multi_add_handle: \(message)", url: transfer.request.url)))
            return
        }
        transfer.phase = .running
        transfer.activeIndex = active.count
        active.append(transfer)
    }

    private func cancelTransfer(_ transfer: CurlTransfer) {
        switch transfer.phase {
        case .pending:
            transfer.phase = .cancelledBeforeStart
        case .running:
            if let easy = transfer.easy {
                // Removing a handle mid-transfer aborts it; libcurl closes that connection rather
                // than return it to the pool half-read.
                _ = curl_multi_remove_handle(multi, easy.raw)
            }
            deactivate(transfer)
            recycle(transfer)
            logger.debug("HTTP request cancelled", metadata: ["url": "\(HTTPClientError.redacted(transfer.request.url))"])
            finish(transfer, .failure(CancellationError()))
        case .cancelledBeforeStart, .finished:
            break
        }
    }

    /// Removes a transfer from `active` by swapping the last one into its place.
    private func deactivate(_ transfer: CurlTransfer) {
        let index = transfer.activeIndex
        guard index >= 0, index < active.count, active[index] === transfer else { return }
        let last = active.removeLast()
        if last !== transfer {
            active[index] = last
            last.activeIndex = index
        }
        transfer.activeIndex = -1
    }

    private func reapCompletions() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            // Copy out of the message before remove_handle, which may free it.
            let code = message.pointee.data.result
            var privateData: UnsafeMutableRawPointer?
            _ = quarry_curl_easy_getinfo_pointer(handle, CURLINFO_PRIVATE, &privateData)
            guard let privateData else {
                _ = curl_multi_remove_handle(multi, handle)
                continue
            }
            // Unretained: `active` holds the reference until `deactivate` below.
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(privateData).takeUnretainedValue()
            guard transfer.phase == .running, transfer.easy?.raw == handle else {
                _ = curl_multi_remove_handle(multi, handle)
                continue
            }
            let result = transfer.makeResult(code)
            _ = curl_multi_remove_handle(multi, handle)
            deactivate(transfer)
            recycle(transfer)
            log(transfer, result)
            finish(transfer, result)
        }
    }

    private func recycle(_ transfer: CurlTransfer) {
        if let slot = transfer.headerListSlot {
            headerCache.release(slot: slot)
            transfer.headerListSlot = nil
            transfer.headerList = nil
        }
        if let easy = transfer.detach() {
            pool.recycle(easy)
        }
    }

    /// Decides a transfer's result; the continuation is resumed in `flushCompletions`.
    private func finish(_ transfer: CurlTransfer, _ result: Result<HTTPResponse, any Error>) {
        guard transfer.phase != .finished else { return }
        completed.append((transfer, result))
        // Marks it finished now, so a cancel later in the same loop is a no-op.
        transfer.phase = .finished
    }

    /// One lock round-trip for the whole batch, then the resumptions (outside the lock, so woken tasks
    /// never contend with it). `inFlight` drops before the resumptions, so a caller that got its
    /// response never sees itself still counted.
    private func flushCompletions() {
        guard !completed.isEmpty else { return }
        let count = completed.count
        inbox.withLock { $0.inFlight -= count }
        for (transfer, result) in completed {
            let continuation = transfer.continuation
            transfer.continuation = nil
            continuation?.resume(with: result)
        }
        completed.removeAll(keepingCapacity: true)
    }

    private func shutdownError(_ transfer: CurlTransfer) -> HTTPClientError {
        HTTPClientError(code: .shutdown, message: "HTTP client was shut down", url: transfer.request.url)
    }

    private func log(_ transfer: CurlTransfer, _ result: Result<HTTPResponse, any Error>) {
        // Never the headers: they carry credentials. The URL is logged without its query for the
        // same reason.
        switch result {
        case .success(let response):
            logger.trace(
                "HTTP request finished",
                metadata: [
                    "method": "\(transfer.request.method)",
                    "url": "\(HTTPClientError.redacted(transfer.request.url))",
                    "status": "\(response.status)",
                    "ms": "\(response.timings.total.components.seconds * 1000 + response.timings.total.components.attoseconds / 1_000_000_000_000_000)",
                ]
            )
        case .failure(let error):
            logger.debug(
                "HTTP request failed",
                metadata: [
                    "method": "\(transfer.request.method)",
                    "error": "\(error)",
                ]
            )
        }
    }
}
