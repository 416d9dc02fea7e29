import Hummingbird
import Logging
import Synchronization
// Hummingbird's own dependency; imported to stop the server gracefully (see `run`).
import ServiceLifecycle

/// A real Hummingbird server on 127.0.0.1 with an ephemeral port, for exercising the client over
/// loopback. This file imports Hummingbird (whose `HTTPRequest`/`HTTPResponse` names clash with
/// QuarryHTTP's); the test files import QuarryHTTP and only see `TestServer.run` and the routes.
///
/// Routes:
/// - `GET  /hello`             "hello"; echoes `X-Client-Tag` as `X-Echo-Tag`; two `X-Multi` fields.
/// - `POST /echo`              body back verbatim, `Content-Type` echoed, `X-Body-Length` set.
/// - `GET  /bytes/:count`      `count` bytes of a deterministic pattern covering all 256 values.
/// - `GET  /status/:code`      that status; 429 adds `Retry-After: 7`.
/// - `HEAD /hello`             200, no body.
/// - `GET  /sleep/:ms`         waits (cut short when the server stops), then "slept": a slow endpoint,
///                             where the elapsed time is the point. `Activity` counts those in progress.
/// - `GET  /redirect`          302 to `/hello` with an `X-Redirect-Only` header.
enum TestServer {
    static func pattern(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
    }

    /// Starts the server, runs `body` with its port, then stops the server.
    static func run<T: Sendable>(_ body: (Int) async throws -> T) async throws -> T {
        try await run { port, _ in try await body(port) }
    }

    /// What the server is doing, for tests that must act once a request has reached it.
    final class Activity: Sendable {
        private let sleeping = Mutex(0)
        /// `/sleep` requests the server has received and not yet answered.
        var sleepingRequests: Int { sleeping.withLock { $0 } }
        fileprivate func sleepStarted() { sleeping.withLock { $0 += 1 } }
        fileprivate func sleepEnded() { sleeping.withLock { $0 -= 1 } }
    }

    /// Starts the server, runs `body` with its port and a view of its activity, then stops the server.
    ///
    /// The server is stopped with a *graceful* shutdown, not by cancelling its task: cancelling while
    /// an accepted connection is still buffered traps inside NIO ("Deinited NIOAsyncWriter without
    /// calling finish()", apple/swift-nio#3481). Graceful shutdown waits for in-flight handlers, so
    /// long sleeps (which tests abandon on purpose) notice `stopping` and end early.
    static func run<T: Sendable>(_ body: (Int, Activity) async throws -> T) async throws -> T {
        let stopping = StopFlag()
        let activity = Activity()
        let router = Router()
        router.get("hello") { request, _ -> Response in
            var headers = HTTPFields()
            headers[.init("X-Echo-Tag")!] = request.headers[.init("X-Client-Tag")!] ?? "none"
            headers.append(.init(name: .init("X-Multi")!, value: "first"))
            headers.append(.init(name: .init("X-Multi")!, value: "second"))
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "hello")))
        }
        router.post("echo") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 16 << 20)
            var headers = HTTPFields()
            headers[.contentType] = request.headers[.contentType] ?? "absent"
            headers[.init("X-Body-Length")!] = String(body.readableBytes)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        }
        router.get("bytes/:count") { _, context -> Response in
            let count = try context.parameters.require("count", as: Int.self)
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: pattern(count))))
        }
        router.get("status/:code") { _, context -> Response in
            let code = try context.parameters.require("code", as: Int.self)
            var headers = HTTPFields()
            if code == 429 { headers[.retryAfter] = "7" }
            return Response(status: .init(code: code), headers: headers, body: .init(byteBuffer: ByteBuffer(string: "status \(code)")))
        }
        router.head("hello") { _, _ -> HTTPResponse.Status in
            .ok
        }
        router.get("sleep/:ms") { _, context -> String in
            let ms = try context.parameters.require("ms", as: Int.self)
            activity.sleepStarted()
            defer { activity.sleepEnded() }
            let clock = ContinuousClock()
            let deadline = clock.now + .milliseconds(ms)
            // Short sleeps in one go (the concurrency test runs 1,000 of them); long ones in slices so
            // that a stopping server is not held up by requests the client already abandoned.
            let slice: Duration = ms <= 1_000 ? .milliseconds(ms) : .milliseconds(100)
            // Simulated latency: the elapsed time is what this route serves.
            while clock.now < deadline, await !stopping.isSet {
                try await Task.sleep(for: min(slice, deadline - clock.now))
            }
            return "slept"
        }
        router.get("redirect") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.location] = "/hello"
            headers[.init("X-Redirect-Only")!] = "yes"
            return Response(status: .found, headers: headers)
        }

        var logger = Logger(label: "quarry.http.test-server")
        logger.logLevel = .error
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            // A deep accept backlog: the concurrency test opens ~1,000 connections at once.
            configuration: .init(address: .hostname("127.0.0.1", port: 0), backlog: 4096),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )

        let services = ServiceGroup(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)

        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await services.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                group.cancelAll()
                throw TestServerError.didNotStart
            }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(port, activity))
            } catch {
                result = .failure(error)
            }
            await stopping.set()
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }
}

enum TestServerError: Error {
    case didNotStart
}

/// Set once when the server begins stopping; read by long-running handlers.
actor StopFlag {
    private(set) var isSet = false

    func set() {
        isSet = true
    }
}
