import QuarryHTTP
import QuarryTestSupport
import Testing

@Suite("HTTPClient concurrency")
struct HTTPClientConcurrencyTests {
    @Test("1,000 concurrent 200 ms requests finish far faster than sequentially")
    func thousandConcurrentRequests() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient()
            defer { client.shutdown() }
            let count = 1_000
            let clock = ContinuousClock()
            let started = clock.now
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<count {
                    group.addTask {
                        try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/sleep/200")).status
                    }
                }
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
            let elapsed = clock.now - started
            #expect(statuses.count == count)
            #expect(statuses.allSatisfy { $0 == 200 })
            // Sequentially this would take 200 s.
            expectWithinBound(elapsed < .seconds(5), "took \(elapsed)")
            #expect(client.inFlightCount == 0)
        }
    }

    @Test("maxTotalConnections caps parallelism")
    func connectionCap() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient(configuration: .init(maxTotalConnections: 2))
            defer { client.shutdown() }
            let clock = ContinuousClock()
            let started = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let response = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/sleep/100"))
                        #expect(response.status == 200)
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = clock.now - started
            // 8 requests over 2 connections: at least 4 rounds of 100 ms (unlimited would be ~1 round).
            #expect(elapsed >= .milliseconds(400), "took \(elapsed)")
            expectWithinBound(elapsed < .seconds(5), "took \(elapsed)")
        }
    }

    @Test("HTTPLoadGenerator reports counts, errors and duration")
    func loadGenerator() async throws {
        try await TestServer.run { port in
            let client = try HTTPClient()
            defer { client.shutdown() }
            let report = await HTTPLoadGenerator(
                url: "http://127.0.0.1:\(port)/sleep/50", totalRequests: 1_000, concurrency: 250
            ).run(on: client)
            #expect(report.requests == 1_000)
            #expect(report.succeeded == 1_000)
            #expect(report.errors == 0)
            #expect(report.statusCounts == [200: 1_000])
            // 4 waves of 50 ms; sequentially 50 s.
            expectWithinBound(report.duration < .seconds(5), "\(report)")
            #expect(report.latencyP50 >= .milliseconds(50))
            #expect(report.latencyP50 <= report.latencyP99)
            #expect(report.latencyP99 <= report.latencyMax)
            expectWithinBound(report.requestsPerSecond > 200, "\(report.requestsPerSecond) requests/s")

            let failing = await HTTPLoadGenerator(url: "http://127.0.0.1:1/", totalRequests: 20, concurrency: 5).run(on: client)
            #expect(failing.requests == 20)
            #expect(failing.errors == 20)
            #expect(failing.errorsByCode == [.connectFailed: 20])

            let notFound = await HTTPLoadGenerator(url: "http://127.0.0.1:\(port)/status/404", totalRequests: 10, concurrency: 3).run(on: client)
            #expect(notFound.non2xx == 10)
            #expect(notFound.statusCounts == [404: 10])
        }
    }
}
