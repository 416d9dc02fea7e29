import Foundation
import QuarrySimulator
import Testing

@Suite("Configuration and lifecycle")
struct ConfigurationTests {
    @Test("Codable round trip; missing keys keep defaults")
    func codable() throws {
        var configuration = SimulatorConfiguration()
        configuration.latency = .logNormal(p50Ms: 200, p99Ms: 1500)
        configuration.faults = FaultRates(rateLimited: 0.1, hang: 0.01)
        configuration.rpm = 60
        configuration.requiredAPIKey = "k"
        configuration.seed = 42
        let data = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(SimulatorConfiguration.self, from: data) == configuration)

        let partial = try JSONDecoder().decode(
            SimulatorConfiguration.self,
            from: Data(#"{"port": 8089, "faults": {"serverError": 0.5}, "latency": "uniform:10,20"}"#.utf8))
        #expect(partial.port == 8089)
        #expect(partial.faults.serverError == 0.5)
        #expect(partial.faults.rateLimited == 0)
        #expect(partial.latency == .uniform(minMs: 10, maxMs: 20))
        #expect(partial.models == ["sim-small", "sim-large"])
        #expect(partial.contextWindowTokens == 32_768)
        #expect(partial.host == "127.0.0.1")
    }

    @Test("CLI spec strings parse")
    func specs() {
        #expect(LatencyModel(spec: "fixed:50") == .fixed(ms: 50))
        #expect(LatencyModel(spec: "25") == .fixed(ms: 25))
        #expect(LatencyModel(spec: "lognormal:300,2000") == .logNormal(p50Ms: 300, p99Ms: 2000))
        #expect(LatencyModel(spec: "gaussian:1") == nil)
        let rates = FaultRates(spec: "rate_limited=0.1, 500=0.2,hang=0.01,malformed_json=0.05")
        #expect(rates == FaultRates(rateLimited: 0.1, serverError: 0.2, hang: 0.01, malformedJSON: 0.05))
        #expect(FaultRates(spec: "explode=1") == nil)
    }

    @Test("validate rejects out-of-range values with a coded error")
    func validation() async throws {
        var configuration = SimulatorConfiguration()
        configuration.faults.reset = 1.5
        #expect(throws: SimulatorError.self) { try configuration.validate() }
        do {
            _ = try await Simulator(configuration: configuration).start()
            Issue.record("start() accepted an invalid configuration")
        } catch let error as SimulatorError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.context["field"] == "faults.reset")
        }
    }

    @Test("start, stop, restart; a taken port fails with start_failed")
    func lifecycle() async throws {
        var configuration = SimulatorConfiguration()
        configuration.logLevel = .critical
        let simulator = Simulator(configuration: configuration)
        let port = try await simulator.start()
        #expect(port > 0)
        #expect(simulator.baseURL == "http://127.0.0.1:\(port)/v1")
        await #expect(throws: SimulatorError.self) { try await simulator.start() }

        var clash = SimulatorConfiguration()
        clash.logLevel = .critical
        clash.port = port
        let second = Simulator(configuration: clash)
        do {
            _ = try await second.start()
            Issue.record("two simulators bound the same port")
            await second.stop()
        } catch let error as SimulatorError {
            #expect(error.code == .startFailed)
        }

        await simulator.stop()
        #expect(simulator.port == nil)
        try await simulator.withRunning { again in
            let result = try await TestClient(port: again, simulator: simulator).get("/health")
            #expect(result.status == 200)
        }
    }
}
