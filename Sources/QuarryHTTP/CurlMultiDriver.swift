import CCurl
import Logging

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
/// and poke the driver with `curl_multi_wakeup`. The driver thread loops: drain the inbox, attach or
/// detach easy handles, `curl_multi_perform`, harvest `curl_multi_info_read` completions and resume
/// their continuations, then sleep in `curl_multi_poll` until a socket is ready, a libcurl timer is
/// due, or a wake-up arrives.
///
/// `@unchecked Sendable`: the state shared between threads is the `inbox` and `lifecycle`, each
/// guarded by its own lock. `active`, `pool` and the multi handle's transfer state are touched only by
/// the driver thread. The one libcurl call made from other threads, `curl_multi_wakeup`, is documented
/// as thread-safe, and is only made while holding the inbox lock with `stopping == false`, which
/// guarantees the driver has not yet begun `curl_multi_cleanup`.
final class CurlMultiDriver: @unchecked Sendable {
    private struct Inbox {
        var adds: [CurlTransfer] = []
        var cancels: [CurlTransfer] = []
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
    private let inbox = LockedValue(Inbox())
    private let lifecycle = LockedValue(Lifecycle())

    // Driver-thread state.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var pool: CurlEasyPool

    init(configuration: HTTPClient.Configuration, logger: Logger) throws(HTTPClientError) {
        guard let multi = curl_multi_init() else {
            throw HTTPClientError(code: .other, message: "curl_multi_init failed", url: "")
        }
        self.multi = multi
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
    }

    deinit {
        // When the thread ran, it cleaned the multi handle up on its way out (and it held a reference
        // to us until then, so we cannot get here earlier). Otherwise it is ours to free.
        if lifecycle.withLock({ $0.thread == nil }) {
            curl_multi_cleanup(multi)
        }
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
        inbox.withLock { inbox in
            guard !inbox.stopping else { return false }
            inbox.adds.append(transfer)
            inbox.inFlight += 1
            wakeLocked(&inbox)
            return true
        }
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
            _ = curl_multi_wakeup(multi)
        }
        lifecycle.withLock { lifecycle in
            guard !lifecycle.joined else { return }
            lifecycle.joined = true
            lifecycle.thread?.join()
        }
    }

    private func wakeLocked(_ inbox: inout Inbox) {
        if !inbox.wakeupPending {
            inbox.wakeupPending = true
            _ = curl_multi_wakeup(multi)
        }
    }

    // MARK: Driver thread

    private func run() {
        logger.debug("HTTP driver started")
        var adds: [CurlTransfer] = []
        var cancels: [CurlTransfer] = []
        var running: Int32 = 0
        let pollMilliseconds = Int32(clamping: max(1, configuration.pollInterval.curlMilliseconds))
        var reportedPollFailure = false

        while true {
            let stopping = inbox.withLock { inbox in
                swap(&adds, &inbox.adds)
                swap(&cancels, &inbox.cancels)
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
                break
            }
            // Adds before cancels: a cancel that arrived in the same batch as its add must find the
            // transfer running (or, if the cancel came first, already marked `cancelledBeforeStart`).
            for transfer in adds { startTransfer(transfer) }
            adds.removeAll(keepingCapacity: true)
            for transfer in cancels { cancelTransfer(transfer) }
            cancels.removeAll(keepingCapacity: true)

            let performCode = curl_multi_perform(multi, &running)
            if performCode != CURLM_OK {
                logger.error("curl_multi_perform failed", metadata: ["code": "\(performCode.rawValue)"])
            }
            reapCompletions()

            let pollCode = curl_multi_poll(multi, nil, 0, pollMilliseconds, nil)
            if pollCode != CURLM_OK {
                if !reportedPollFailure {
                    reportedPollFailure = true
                    logger.error("curl_multi_poll failed", metadata: ["code": "\(pollCode.rawValue)"])
                }
                // A poll that fails returns at once; without a pause the loop would spin a core.
                usleep(10_000)
            }
        }

        let abandoned = active.count
        for (handle, transfer) in active {
            _ = curl_multi_remove_handle(multi, handle)
            _ = transfer.detach()
            finish(transfer, .failure(shutdownError(transfer)))
        }
        active.removeAll()
        pool.removeAll()
        curl_multi_cleanup(multi)
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
        if let error = transfer.configure(easy, configuration: configuration) {
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
        active[easy.raw] = transfer
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
                active[easy.raw] = nil
            }
            recycle(transfer)
            logger.debug("HTTP request cancelled", metadata: ["url": "\(HTTPClientError.redacted(transfer.request.url))"])
            finish(transfer, .failure(CancellationError()))
        case .cancelledBeforeStart, .finished:
            break
        }
    }

    private func reapCompletions() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            // Copy out of the message before remove_handle, which may free it.
            let code = message.pointee.data.result
            guard let transfer = active.removeValue(forKey: handle) else {
                _ = curl_multi_remove_handle(multi, handle)
                continue
            }
            let result = transfer.makeResult(code)
            _ = curl_multi_remove_handle(multi, handle)
            recycle(transfer)
            log(transfer, result)
            finish(transfer, result)
        }
    }

    private func recycle(_ transfer: CurlTransfer) {
        if let easy = transfer.detach() {
            pool.recycle(easy)
        }
    }

    private func finish(_ transfer: CurlTransfer, _ result: Result<HTTPResponse, any Error>) {
        guard transfer.phase != .finished else { return }
        inbox.withLock { $0.inFlight -= 1 }
        transfer.finish(result)
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
