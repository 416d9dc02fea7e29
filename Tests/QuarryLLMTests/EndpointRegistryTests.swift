import Foundation
import QuarryLLM
import Testing

@Suite("Endpoints file")
struct EndpointRegistryTests {
    @Test("a full file loads every field")
    func loads() throws {
        let yaml = """
            endpoints:
              - name: sim
                base_url: http://127.0.0.1:8080/v1/
                model: sim-small
                api_key_env: SIM_KEY
                headers: {OpenAI-Organization: org-1}
                rpm: 600
                tpm: 100000
                max_in_flight: 32
                timeout_seconds: 12.5
                price_per_million_input: 0.15
                price_per_million_output: 0.6
              - name: other
                base_url: https://example.invalid/v1
                model: big
            """
        let path = NSTemporaryDirectory() + "endpoints-\(UUID().uuidString).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let registry = try EndpointRegistry.load(path: path)
        #expect(registry.names == ["other", "sim"])
        let sim = try #require(registry["sim"])
        #expect(sim.url("/chat/completions") == "http://127.0.0.1:8080/v1/chat/completions")
        #expect(sim.apiKeyEnv == "SIM_KEY")
        #expect(sim.headers == ["OpenAI-Organization": "org-1"])
        #expect(sim.rpm == 600 && sim.tpm == 100_000 && sim.maxInFlight == 32 && sim.timeoutSeconds == 12.5)
        #expect(abs(sim.cost(inputTokens: 1_000_000, outputTokens: 500_000) - 0.45) < 1e-12)
        let other = try #require(registry["other"])
        #expect(other.rpm == nil && other.apiKeyEnv == nil && other.maxInFlight == 256)
    }

    @Test("the mapping form works too")
    func mappingForm() throws {
        let registry = try EndpointRegistry.parse(yaml: "endpoints:\n  a:\n    base_url: http://x/v1\n    model: m\n")
        #expect(registry["a"]?.model == "m")
    }

    @Test("errors name the file, the line and the field", arguments: [
        ("endpoints:\n  - name: a\n    base_url: http://x/v1\n    model: m\n    rpn: 5\n", EndpointConfigurationError.Code.unknownField, 5, "endpoints[0].rpn"),
        ("endpoints:\n  - name: a\n    base_url: http://x/v1\n", .missingField, 2, "endpoints[0].model"),
        ("endpoints:\n  - name: a\n    base_url: http://x/v1\n    model: m\n    rpm: -3\n", .invalidValue, 5, "endpoints[0].rpm"),
        ("endpoints:\n  - name: a\n    base_url: ftp://x\n    model: m\n", .invalidValue, 3, "endpoints[0].base_url"),
        ("endpoints:\n  - name: a\n    base_url: http://x/v1\n    model: m\n    headers: {Authorization: Bearer sk-oops}\n", .invalidValue, 5, "endpoints[0].headers.Authorization"),
        ("endpoints:\n  - name: a\n    base_url: http://x\n    model: m\n  - name: a\n    base_url: http://y\n    model: m\n", .duplicateName, 5, "endpoints[1].name"),
    ])
    func errors(yaml: String, code: EndpointConfigurationError.Code, line: Int, field: String) {
        do {
            _ = try EndpointRegistry.parse(yaml: yaml, file: "quarry.endpoints.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == code)
            #expect(error.line == line, "\(error)")
            #expect(error.field == field)
            #expect(error.description.contains("quarry.endpoints.yaml:\(line)"))
            #expect(!error.description.contains("sk-oops"))
        }
    }

    @Test("a missing file says how to provide one")
    func missingFile() {
        #expect(throws: EndpointConfigurationError.self) { try EndpointRegistry.load(path: "/nonexistent/quarry.endpoints.yaml") }
    }

    @Test("invalid YAML is reported as such")
    func invalidYAML() {
        do {
            _ = try EndpointRegistry.parse(yaml: "endpoints: [\n  - {name: a", file: "f.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidYAML)
        }
    }
}
