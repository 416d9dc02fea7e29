import QuarryHTTP
import QuarryTestSupport
import Testing

@Suite("HTTPClient with several driver threads")
struct HTTPClientDriverTests {
    @Test("requests spread over three drivers each get their own answer; cancellation still reaches the right driver")
    func severalDrivers() async throws {
        try await TestServer.run { port, server in
            let client = try HTTPClient(configuration: .init(drivers: 3))
            defer { client.shutdown() }
            #expect(client.configuration.drivers == 3)
            let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<300 {
                    group.addTask {
                        let response = try await client.execute(
                            HTTPRequest(method: .post, url: "http://127.0.0.1:\(port)/echo", body: Array("request \(index)".utf8)))
                        return (index, String(decoding: response.body, as: UTF8.self))
                    }
                }
                var bodies: [Int: String] = [:]
                for try await (index, body) in group { bodies[index] = body }
                return bodies
            }
            #expect(bodies.count == 300)
            #expect(bodies.allSatisfy { $0.value == "request \($0.key)" })

            // Six slow requests land on all three drivers; cancelling them must end each one promptly.
            let clock = ContinuousClock()
            let started = clock.now
            let sleepers = (0..<6).map { _ in
                Task { try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/sleep/10000")) }
            }
            // In flight on the wire: the server is working on all six.
            #expect(await eventually { server.sleepingRequests == 6 })
            sleepers.forEach { $0.cancel() }
            for sleeper in sleepers {
                await #expect(throws: CancellationError.self) { try await sleeper.value }
            }
            expectWithinBound(clock.now - started < .seconds(5), "took \(clock.now - started)")
            #expect(client.inFlightCount == 0)
        }
    }

    @Test("one driver per 250 requests in flight, between one and four")
    func recommendedDrivers() {
        #expect(HTTPClient.Configuration.recommendedDrivers(forConcurrency: 1) == 1)
        #expect(HTTPClient.Configuration.recommendedDrivers(forConcurrency: 250) == 1)
        #expect(HTTPClient.Configuration.recommendedDrivers(forConcurrency: 251) == 2)
        #expect(HTTPClient.Configuration.recommendedDrivers(forConcurrency: 751) == 4)
        #expect(HTTPClient.Configuration.recommendedDrivers(forConcurrency: 2_000) == 4)
        #expect(HTTPClient.Configuration.recommendedDrivers(forConcurrency: 100_000) == 4)
        #expect(HTTPClient.Configuration(drivers: 0).drivers == 1)
    }

    @Test("tasks running on the drivers as their executor send, receive and cancel like any other")
    func driverAsExecutor() async throws {
        try await TestServer.run { port, server in
            let client = try HTTPClient(configuration: .init(drivers: 2))
            defer { client.shutdown() }
            let executors = client.taskExecutors
            #expect(executors.count == 2)
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                for lane in 0..<100 {
                    group.addTask(executorPreference: executors[lane % executors.count]) {
                        var statuses: [Int] = []
                        for _ in 0..<5 {
                            statuses.append(try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/hello")).status)
                        }
                        return statuses
                    }
                }
                var all: [Int] = []
                for try await lane in group { all += lane }
                return all
            }
            #expect(statuses.count == 500)
            #expect(statuses.allSatisfy { $0 == 200 })

            let sleeper = Task(executorPreference: executors[0]) {
                try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/sleep/10000"))
            }
            #expect(await eventually { server.sleepingRequests == 1 })
            sleeper.cancel()
            await #expect(throws: CancellationError.self) { try await sleeper.value }
            #expect(client.inFlightCount == 0)
        }
    }

    @Test("after shutdown a task that prefers a driver still runs (on the global executor) and gets .shutdown")
    func executorAfterShutdown() async throws {
        let client = try HTTPClient()
        let executor = client.taskExecutors[0]
        client.shutdown()
        let outcome = await Task(executorPreference: executor) { () -> String in
            do {
                _ = try await client.execute(HTTPRequest(url: "http://127.0.0.1:9/never"))
                return "answered"
            } catch let error as HTTPClientError {
                return "\(error.code)"
            } catch {
                return "\(error)"
            }
        }.value
        #expect(outcome == "shutdown")
    }
}
