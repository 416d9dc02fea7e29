import QuarryHTTP
import QuarryTestSupport
import Testing

@Suite("HTTPClient failures, cancellation and shutdown")
struct HTTPClientFailureTests {
    @Test("Total timeout fires as .timedOut and is retryable")
    func totalTimeout() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient()
            defer { client.shutdown() }
            let clock = ContinuousClock()
            let started = clock.now
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/sleep/3000", timeout: .milliseconds(300)))
            }
            let elapsed = clock.now - started
            #expect(error?.code == .timedOut)
            #expect(error?.curlCode == 28)
            #expect(error?.isRetryable == true)
            #expect(error?.url == "http://127.0.0.1:\(port)/sleep/3000")
            #expect(elapsed >= .milliseconds(300))
            #expect(elapsed < .seconds(2), "took \(elapsed)")
        }
    }

    @Test("Client default timeout applies when the request sets none")
    func defaultTimeout() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient(configuration: .init(timeout: .milliseconds(200)))
            defer { client.shutdown() }
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/sleep/3000"))
            }
            #expect(error?.code == .timedOut)
            // And a per-request timeout overrides it.
            let response = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/sleep/300", timeout: .seconds(5)))
            #expect(response.status == 200)
        }
    }

    @Test("Connection refused is .connectFailed and retryable")
    func connectionRefused() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        // Port 1 (tcpmux) has no listener on a build machine; loopback refuses at once.
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.execute(HTTPRequest(url: "http://127.0.0.1:1/v1/chat?api_key=secret"))
        }
        #expect(error?.code == .connectFailed)
        #expect(error?.curlCode == 7)
        #expect(error?.isRetryable == true)
        #expect(error?.message.isEmpty == false)
        // The query (where some APIs put keys) never reaches the description.
        #expect(error.map { !"\($0)".contains("secret") } == true)
    }

    @Test("Malformed URL and header injection are .invalidRequest and not retryable")
    func invalidRequests() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        let malformed = await #expect(throws: HTTPClientError.self) {
            try await client.execute(HTTPRequest(url: "nota://url with spaces"))
        }
        #expect(malformed?.code == .invalidRequest)
        #expect(malformed?.isRetryable == false)

        let injected = await #expect(throws: HTTPClientError.self) {
            try await client.execute(HTTPRequest(url: "http://127.0.0.1:1/", headers: ["Authorization": "Bearer sk-1\r\nX-Evil: 1"]))
        }
        #expect(injected?.code == .invalidRequest)
        #expect(injected.map { !"\($0)".contains("sk-1") } == true)
    }

    @Test("Cancelling the task aborts an in-flight request promptly with CancellationError")
    func cancellationInFlight() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient()
            defer { client.shutdown() }
            let task = Task {
                try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/sleep/10000"))
            }
            // Let it reach the driver, then the server.
            #expect(await eventually { client.inFlightCount == 1 })
            try await Task.sleep(for: .milliseconds(200))
            let clock = ContinuousClock()
            let started = clock.now
            task.cancel()
            await #expect(throws: CancellationError.self) {
                try await task.value
            }
            #expect(clock.now - started < .seconds(1))
            #expect(client.inFlightCount == 0)

            // The client is still usable afterwards.
            let response = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/hello"))
            #expect(response.status == 200)
        }
    }

    @Test("Cancellation racing with submission never hangs and never leaks")
    func cancellationRace() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient()
            defer { client.shutdown() }
            for round in 0..<200 {
                let task = Task {
                    try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/sleep/5000"))
                }
                if round % 2 == 0 { await Task.yield() }
                task.cancel()
                await #expect(throws: CancellationError.self) {
                    try await task.value
                }
            }
            #expect(client.inFlightCount == 0)
        }
    }

    @Test("shutdown() fails in-flight requests with .shutdown and does not hang")
    func shutdownWithInFlight() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient()
            let results = Task {
                await withTaskGroup(of: Result<HTTPResponse, any Error>.self) { group in
                    for _ in 0..<20 {
                        group.addTask {
                            do {
                                return .success(try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/sleep/10000")))
                            } catch {
                                return .failure(error)
                            }
                        }
                    }
                    var results: [Result<HTTPResponse, any Error>] = []
                    for await result in group { results.append(result) }
                    return results
                }
            }
            #expect(await eventually { client.inFlightCount == 20 })
            try await Task.sleep(for: .milliseconds(200))

            let clock = ContinuousClock()
            let started = clock.now
            client.shutdown()
            #expect(clock.now - started < .seconds(1), "shutdown took \(clock.now - started)")

            let outcomes = await results.value
            #expect(clock.now - started < .seconds(2))
            #expect(outcomes.count == 20)
            for outcome in outcomes {
                switch outcome {
                case .success(let response):
                    Issue.record("expected .shutdown, got status \(response.status)")
                case .failure(let error):
                    #expect((error as? HTTPClientError)?.code == .shutdown)
                    #expect((error as? HTTPClientError)?.isRetryable == false)
                }
            }

            // After shutdown: immediate .shutdown, and shutting down again is a no-op.
            let late = await #expect(throws: HTTPClientError.self) {
                try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/hello"))
            }
            #expect(late?.code == .shutdown)
            client.shutdown()
        }
    }

    @Test("Dropping the last reference shuts the client down")
    func deinitShutsDown() async throws {
        try await TestServer.run { port in
            var client: HTTPClient? = try HTTPClient()
            let response = try await client?.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/hello"))
            #expect(response?.status == 200)
            weak let weakClient = client
            client = nil
            #expect(weakClient == nil)
        }
    }

    @Test("Many clients can be created and torn down (curl_global_init runs once)")
    func manyClients() async throws {
        try await TestServer.run { port in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let client = try HTTPClient()
                        defer { client.shutdown() }
                        return try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/hello")).status
                    }
                }
                for try await status in group {
                    #expect(status == 200)
                }
            }
        }
    }
}
