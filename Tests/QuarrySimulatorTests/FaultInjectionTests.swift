import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import QuarrySimulator
import QuarryTestSupport
import Testing

@Suite("Fault injection at rate 1.0")
struct FaultInjectionTests {
    private func faulty(_ kind: FaultKind) -> (inout SimulatorConfiguration) -> Void {
        { configuration in
            configuration.faults[kind] = 1
            configuration.retryAfterSeconds = 2.5
        }
    }

    @Test("rateLimited: 429 with Retry-After and retry-after-ms")
    func rateLimited() async throws {
        try await withSimulator(faulty(.rateLimited)) { client in
            let result = try await client.post("/v1/chat/completions", json: chatBody("hi"))
            #expect(result.status == 429)
            #expect(result.header("retry-after") == "3")
            #expect(result.header("retry-after-ms") == "2500")
            #expect((result.object?["error"] as? [String: Any])?["code"] as? String == "rate_limit_exceeded")
            let stats = try await client.stats()
            #expect((stats["faults_injected"] as? [String: Int])?["rate_limited"] == 1)
        }
    }

    @Test("serverError: 500 with an OpenAI error body")
    func serverError() async throws {
        try await withSimulator(faulty(.serverError)) { client in
            let result = try await client.post("/v1/embeddings", json: ["model": "sim-small", "input": "x"])
            #expect(result.status == 500)
            #expect((result.object?["error"] as? [String: Any])?["type"] as? String == "server_error")
        }
    }

    @Test("unavailable: 503 with Retry-After")
    func unavailable() async throws {
        try await withSimulator(faulty(.unavailable)) { client in
            let result = try await client.post("/v1/completions", json: ["model": "sim-small", "prompt": "x"])
            #expect(result.status == 503)
            #expect(result.header("retry-after") == "3")
        }
    }

    @Test("malformedJSON: 200 whose body does not parse")
    func malformed() async throws {
        try await withSimulator(faulty(.malformedJSON)) { client in
            let result = try await client.post("/v1/chat/completions", json: chatBody("hi"))
            #expect(result.status == 200)
            #expect(!result.body.isEmpty)
            #expect(throws: (any Error).self) { try JSONSerialization.jsonObject(with: result.body) }
        }
    }

    @Test("truncated: 200 with half a body")
    func truncated() async throws {
        try await withSimulator(faulty(.truncated)) { client in
            let result = try await client.post("/v1/chat/completions", json: chatBody(sampleContext))
            #expect(result.status == 200)
            #expect(result.text.hasPrefix("{"))
            #expect(throws: (any Error).self) { try JSONSerialization.jsonObject(with: result.body) }
        }
    }

    @Test("reset: the connection closes without a response")
    func reset() async throws {
        try await withSimulator(faulty(.reset)) { client in
            await #expect(throws: (any Error).self) {
                _ = try await client.post("/v1/chat/completions", json: chatBody("hi"), timeout: 10)
            }
            let stats = try await client.stats()
            #expect((stats["requests_by_status"] as? [String: Int])?["reset"] == 1)
        }
    }

    @Test("hang: the client's timeout cuts it, and the simulator notices the closed connection")
    func hang() async throws {
        try await withSimulator(faulty(.hang)) { client in
            let start = Date()
            await #expect(throws: (any Error).self) {
                _ = try await client.post("/v1/chat/completions", json: chatBody("hi"), timeout: 1)
            }
            let elapsed = Date().timeIntervalSince(start)
            #expect(elapsed >= 0.9 && elapsed < 30)
            // The hang ends when the client goes away, instead of pinning a task for 300 s.
            #expect(try await eventually { try await client.stats()["in_flight"] as? Int == 0 })
            let statuses = try await client.stats()["requests_by_status"] as? [String: Int]
            #expect(statuses?["cancelled"] == 1)
        }
    }

    @Test("stop() ends an in-progress hang promptly")
    func stopDuringHang() async throws {
        var configuration = SimulatorConfiguration()
        configuration.logLevel = .critical
        configuration.faults.hang = 1
        let simulator = Simulator(configuration: configuration)
        let port = try await simulator.start()
        let client = TestClient(port: port, simulator: simulator)
        let request = Task { try? await client.post("/v1/chat/completions", json: chatBody("hi"), timeout: 60) }
        // Wait for the request to arrive and start hanging.
        #expect(await eventually { simulator.stats.inFlight == 1 })
        let start = Date()
        await simulator.stop()
        #expect(Date().timeIntervalSince(start) < 10)
        _ = await request.value
    }

    @Test("mixed rates: faults occur at roughly their configured frequency, reproducibly for a seed")
    func mixedRates() async throws {
        func run() async throws -> [Int] {
            try await withSimulator({
                $0.faults = FaultRates(rateLimited: 0.2, serverError: 0.2, unavailable: 0.1)
                $0.seed = 7
            }) { client in
                var statuses: [Int] = []
                for index in 0..<60 {
                    statuses.append(try await client.post("/v1/chat/completions", json: chatBody("q \(index)")).status)
                }
                return statuses
            }
        }
        let first = try await run()
        let second = try await run()
        #expect(first == second)
        let ok = first.filter { $0 == 200 }.count
        #expect(ok > 15 && ok < 45)
        #expect(first.contains(429) && first.contains(500) && first.contains(503))
    }
}
