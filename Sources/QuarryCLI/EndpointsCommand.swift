import ArgumentParser
import Foundation
import QuarryHTTP
import QuarryLLM

/// `quarry endpoints check`: the preflight `quarry submit` runs, on its own.
struct EndpointsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoints", abstract: "Work with the endpoints file.", subcommands: [EndpointsCheckCommand.self])
}

struct EndpointsCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that endpoints are reachable, accept their keys and serve their models.",
        discussion: """
            For each endpoint: GET /models with its key, and look for its model there; where the server lists no \
            models, one chat request for a single token instead. Prints one line per endpoint (name, URL, status \
            and the server's own message) and exits non-zero when any fails. Keys come from the environment, as \
            for workers: run it where the workers run.
            """)

    @Option(help: "Endpoints file (default: QUARRY_ENDPOINTS, else quarry.endpoints.yaml).")
    var endpoints: String?

    @Argument(help: "Only these endpoints (default: all).")
    var names: [String] = []

    @Option(help: "Seconds to wait for each endpoint.")
    var timeoutSeconds: Double = 15

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "warning"

    func validate() throws {
        guard timeoutSeconds > 0, timeoutSeconds.isFinite else { throw ValidationError("--timeout-seconds must be positive") }
    }

    func run() async throws {
        LogSetup.bootstrap(level: logLevel)
        guard let registry = try EndpointRegistry.loadConfigured(explicit: endpoints) else {
            throw ValidationError("no endpoints file: pass --endpoints FILE, set QUARRY_ENDPOINTS, or create quarry.endpoints.yaml")
        }
        let chosen = try names.isEmpty ? registry.names.compactMap { registry[$0] } : names.map { try registry.endpoint(named: $0) }
        let results = try await Preflight.run(chosen, timeout: .milliseconds(Int64(timeoutSeconds * 1_000)))
        for result in results { print(result.line) }
        if results.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}

/// Runs the preflight with an HTTP client of its own.
enum Preflight {
    static func run(_ endpoints: [Endpoint], timeout: Duration = .seconds(15)) async throws -> [EndpointPreflight.Result] {
        let http = try HTTPClient(configuration: HTTPClient.Configuration())
        defer { http.shutdown() }
        return await EndpointPreflight(http: http, timeout: timeout).check(endpoints)
    }
}
