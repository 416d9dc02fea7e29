import CLibPQ
import Foundation
import Logging
import Synchronization

/// LISTEN on a dedicated connection, delivered as an `AsyncStream`.
///
/// A thread of its own waits with `poll(2)` on the connection's socket and a wake-up pipe, so a
/// notification is delivered as soon as it arrives and nothing polls on a timer. When the connection
/// drops it reconnects with backoff, LISTENs again and yields `.connected(reconnect: true)`: consumers
/// should then look for work they may have missed, since notifications sent while disconnected are lost.
public final class PostgresListener: Sendable {
    public enum Event: Sendable, Equatable {
        case connected(reconnect: Bool)
        case notification(channel: String, payload: String)
    }

    public let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let configuration: PostgresConfiguration
    private let channels: [String]
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let wakeRead: Int32
    private let wakeWrite: Int32

    /// Throws when the process cannot create the wake-up pipe (out of file descriptors).
    public init(configuration: PostgresConfiguration, channels: [String], logger: Logger = Logger(label: "quarry.listener")) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw PostgresError(
                code: .other, message: "cannot create the LISTEN thread's wake-up pipe: \(String(cString: strerror(errno)))",
                hint: "the process may be out of file descriptors (ulimit -n)")
        }
        self.configuration = configuration
        self.channels = channels
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(10_000))
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Starts the listening thread (once).
    public func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread { [self] in run() }
        thread.name = "quarry-listener"
        thread.start()
    }

    /// Stops listening; the event stream finishes.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        if !started.load(ordering: .acquiring) { continuation.finish() }
    }

    private var isStopping: Bool { stopping.load(ordering: .acquiring) }

    private func run() {
        var reconnect = false
        var backoff = Backoff(initial: .milliseconds(50), maximum: .seconds(2))
        while !isStopping {
            let handle: OpaquePointer
            do {
                handle = try PostgresConnection.openHandle(configuration)
                for channel in channels {
                    let sql = "LISTEN " + PostgresQuery.quoteIdentifier(channel)
                    guard let result = PQexec(handle, sql), PQresultStatus(result) == PGRES_COMMAND_OK else {
                        let message = String(cString: PQerrorMessage(handle))
                        PQfinish(handle)
                        throw PostgresError(code: .connectFailed, message: "LISTEN \(channel) failed: \(message)")
                    }
                    PQclear(result)
                }
            } catch let error as PostgresError where !error.isRetryable {
                // Bad credentials or a missing database: waiting will not help, and consumers poll anyway.
                logger.error("listener gives up: \(error)")
                break
            } catch {
                let delay = backoff.next()
                logger.warning("listener cannot connect, retrying in \(delay): \(error)")
                waitForWake(timeoutMs: Int32(delay.milliseconds))
                continue
            }
            backoff.reset()
            continuation.yield(.connected(reconnect: reconnect))
            if reconnect { logger.info("listener reconnected") }
            reconnect = true
            listen(on: handle)
            PQfinish(handle)
        }
        continuation.finish()
    }

    /// Delivers notifications until the connection breaks or `stop()` is called.
    private func listen(on handle: OpaquePointer) {
        let socket = PQsocket(handle)
        while !isStopping {
            var descriptors = [
                pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if descriptors[1].revents != 0 { drainWakePipe() }
            if descriptors[0].revents != 0 {
                if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK {
                    logger.info("listener connection lost: \(String(cString: PQerrorMessage(handle)).trimmingWhitespace())")
                    return
                }
                while let notify = PQnotifies(handle) {
                    let channel = String(cString: notify.pointee.relname)
                    let payload = String(cString: notify.pointee.extra)
                    PQfreemem(notify)
                    continuation.yield(.notification(channel: channel, payload: payload))
                }
            }
        }
    }

    private func waitForWake(timeoutMs: Int32) {
        var descriptor = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, timeoutMs) > 0 { drainWakePipe() }
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }
}
