import CCurl
import Logging
import Synchronization

/// An async HTTP client over the libcurl multi interface.
///
/// One client runs one driver thread and one multi handle, and can keep thousands of requests in
/// flight: connections are pooled and kept alive, HTTP/2 is negotiated and multiplexed on https, and
/// easy handles are recycled. Create one per process (or per distinct connection policy) and share it.
///
/// ```swift
/// let client = try HTTPClient()
/// defer { client.shutdown() }
/// let response = try await client.execute(HTTPRequest(url: "http://127.0.0.1:8080/health"))
/// ```
///
/// Cancelling the calling task aborts the exchange and throws `CancellationError`. `shutdown()` fails
/// whatever is still in flight with `HTTPClientError.Code.shutdown`; dropping the last reference does
/// the same.
public final class HTTPClient: Sendable {
    public let configuration: Configuration
    private let drivers: [CurlMultiDriver]
    /// Round-robin position for spreading requests over `drivers`.
    private let nextDriver = Atomic<UInt>(0)

    /// Starts the client's driver thread.
    /// - Throws: `HTTPClientError` (code `.other`) if libcurl cannot be initialised or the thread
    ///   cannot be started.
    public init(configuration: Configuration = .init(), logger: Logger = Logger(label: "quarry.http")) throws {
        let globalCode = CurlGlobal.ensureInitialized()
        guard globalCode == CURLE_OK else {
            throw HTTPClientError(code: .other, curlCode: Int(globalCode.rawValue), message: "curl_global_init failed", url: "")
        }
        self.configuration = configuration
        let perDriver = configuration.perDriver()
        var drivers: [CurlMultiDriver] = []
        for _ in 0..<configuration.drivers {
            let driver = try CurlMultiDriver(configuration: perDriver, logger: logger)
            do {
                try driver.start()
            } catch {
                drivers.forEach { $0.shutdown() }
                throw error
            }
            drivers.append(driver)
        }
        self.drivers = drivers
    }

    deinit {
        drivers.forEach { $0.shutdown() }
    }

    /// Sends `request` and returns the complete response, whatever its status.
    ///
    /// - Throws: `HTTPClientError` when no complete response arrived (see `isRetryable`), or
    ///   `CancellationError` when the calling task was cancelled.
    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        if let problem = Self.validate(request) {
            throw problem
        }
        let transfer = CurlTransfer(request: request)
        // Submit and cancel must reach the same driver. A task running on a driver as its executor
        // uses that driver, so its response resumes it on the same thread.
        let driver = pickDriver()
        return try await withTaskCancellationHandler {
            // Unsafe rather than checked: the checked variant allocates a canary per request; the driver
            // resumes each transfer exactly once (see `CurlMultiDriver.finish`).
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<HTTPResponse, any Error>) in
                // Must be stored before `submit` publishes the transfer to the driver thread.
                transfer.continuation = continuation
                if !driver.submit(transfer) {
                    transfer.continuation = nil
                    continuation.resume(throwing: HTTPClientError(code: .shutdown, message: "HTTP client was shut down", url: request.url))
                }
            }
        } onCancel: {
            driver.cancel(transfer)
        }
    }

    /// The driver threads as task executors, one per driver. A task that mostly waits on this client's
    /// requests (an LLM call: build a body, send, decode the answer) does least work when it runs on
    /// one: its requests are submitted without waking the driver, and each response resumes it right
    /// there instead of being handed to Swift's global pool on another thread, which on a small
    /// machine costs more than the HTTP exchange. Anything that blocks the thread stalls every request
    /// of that driver, so only code that awaits rather than blocks should run there.
    ///
    /// ```swift
    /// try await withTaskExecutorPreference(client.taskExecutors[0]) {
    ///     let answer = try await llm.chat(request)
    /// }
    /// ```
    public var taskExecutors: [any TaskExecutor] {
        drivers
    }

    private func pickDriver() -> CurlMultiDriver {
        if drivers.count == 1 { return drivers[0] }
        if let current = drivers.first(where: { $0.isDriverThread }) { return current }
        return drivers[Int(nextDriver.wrappingAdd(1, ordering: .relaxed).oldValue % UInt(drivers.count))]
    }

    /// Fails in-flight and queued requests with `.shutdown`, stops the driver thread and waits for it
    /// to exit (promptly: it is woken, not polled). Later `execute` calls throw `.shutdown`.
    /// Idempotent and safe to call from any thread.
    public func shutdown() {
        drivers.forEach { $0.shutdown() }
    }

    /// Requests handed to the drivers and not yet completed.
    public var inFlightCount: Int {
        drivers.reduce(0) { $0 + $1.inFlightCount }
    }

    /// Rejects what libcurl would otherwise send mangled: CR, LF or NUL in a header would let a value
    /// smuggle in extra headers (or truncate the line), and NUL in the URL truncates it.
    static func validate(_ request: HTTPRequest) -> HTTPClientError? {
        func unsafe(_ text: String) -> Bool {
            text.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
        }
        if request.url.isEmpty || unsafe(request.url) {
            return HTTPClientError(code: .invalidRequest, message: "URL is empty or contains control characters", url: request.url)
        }
        if request.method.rawValue.isEmpty || request.method.rawValue.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) {
            return HTTPClientError(code: .invalidRequest, message: "invalid method token", url: request.url)
        }
        for (name, value) in request.headers {
            if name.isEmpty || unsafe(name) || name.utf8.contains(UInt8(ascii: ":")) || unsafe(value) {
                // Name the header but never echo its value.
                return HTTPClientError(code: .invalidRequest, message: "invalid header field '\(name.isEmpty || unsafe(name) ? "?" : name)'", url: request.url)
            }
        }
        return nil
    }
}
