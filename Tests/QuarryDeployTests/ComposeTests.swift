import Foundation
import Testing
import Yams

/// deploy/compose/compose.yaml against the Compose specification's JSON schema (vendored in Tests/Fixtures).
@Suite("Compose: Compose specification schema")
struct ComposeTests {
    static let compose = DeployTools.path("compose/compose.yaml")
    static let schema = DeployTools.fixture("schemas/compose-spec.json")

    static func validate(_ file: String) async throws -> (status: Int32, output: String) {
        try await DeployTools.run(["check-jsonschema", "--schemafile", schema, file])
    }

    @Test("compose.yaml validates against the Compose specification")
    func valid() async throws {
        let result = try await Self.validate(Self.compose)
        #expect(result.status == 0, "check-jsonschema: \(result.output)")
    }

    @Test("a misspelt or mistyped field fails with the schema's message", arguments: [
        ("stop_grace_period: 45s", "stop_grace_periods: 45s", "'stop_grace_periods' does not match"),
        ("      replicas: 2", "      replica: 2", "'replica' does not match"),
        ("condition: service_completed_successfully", "condition: service_finished", "service_finished"),
    ])
    func rejectsMistakes(old: String, new: String, expected: String) async throws {
        try await DeployTools.withCopy(of: DeployTools.path("compose")) { copy in
            let file = copy + "/compose.yaml"
            if old.hasPrefix("condition") {
                // Twice in the file (coordinator and worker): break the first only.
                let text = try String(contentsOfFile: file, encoding: .utf8)
                let range = try #require(text.range(of: old))
                try text.replacingCharacters(in: range, with: new).write(toFile: file, atomically: true, encoding: .utf8)
            } else {
                try DeployTools.replace(old, with: new, in: file)
            }
            let result = try await Self.validate(file)
            #expect(result.status != 0)
            #expect(result.output.contains(expected), "check-jsonschema said: \(result.output)")
        }
    }

    @Test("two coordinators, workers stop after their grace, the simulator for a trial, keys from .env")
    func shape() async throws {
        let root = try #require(try Yams.load(yaml: String(contentsOfFile: Self.compose, encoding: .utf8)) as? [String: Any])
        let services = try #require(root["services"] as? [String: Any])
        #expect(Set(services.keys) == ["postgres", "migrate", "simulator", "coordinator", "worker"])
        let coordinator = try #require(services["coordinator"] as? [String: Any])
        #expect((coordinator["deploy"] as? [String: Any])?["replicas"] as? Int == 2)
        let worker = try #require(services["worker"] as? [String: Any])
        let command = try #require(worker["command"] as? [String])
        let grace = try #require(Self.option("--shutdown-grace", in: command).flatMap(Double.init))
        let stopText = try #require(worker["stop_grace_period"] as? String)
        #expect(stopText.hasSuffix("s"))
        let stop = try #require(Double(stopText.dropLast()))
        #expect(stop > grace, "Compose must not SIGKILL a worker still inside --shutdown-grace")
        #expect(worker["env_file"] != nil, "API keys reach the workers from .env")
        #expect(FileManager.default.fileExists(atPath: DeployTools.path("compose/.env.example")))
        #expect(FileManager.default.fileExists(atPath: DeployTools.path("compose/endpoints.yaml")))
    }

    static func option(_ name: String, in arguments: [String]) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }
}
