import ArgumentParser
import Foundation
import Logging
import QuarrySimulator

/// `quarry simulate`: runs the OpenAI-compatible simulator until SIGINT or SIGTERM.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve a simulated OpenAI-compatible endpoint with latency, faults and rate limits.",
        discussion: """
            Serves /v1/chat/completions, /v1/completions, /v1/embeddings and /v1/models, plus GET /stats. \
            Prints one line with the address once listening, then serves until SIGINT or SIGTERM. \
            Options override a --config JSON file (SimulatorConfiguration's fields); rates are probabilities \
            per request. Example: quarry simulate --port 8080 --latency lognormal:300,2000 --rate-limited 0.02 \
            --server-error 0.01 --hallucination-rate 0.3 --rpm 600
            """)

    @Option(help: "JSON file with SimulatorConfiguration fields (options below override it).")
    var config: String?

    @Option(help: "Interface to bind.") var host: String?
    @Option(help: "TCP port (default 8080; 0: any free port, printed on start).") var port: Int?

    @Option(help: "Latency before each answer: fixed:MS, uniform:MIN,MAX, lognormal:P50,P99 (milliseconds), or a bare number of ms.")
    var latency: String?
    @Option(help: "Extra milliseconds per completion token.") var perTokenLatencyMs: Double?

    @Option(help: "Probability of a 429 with Retry-After.") var rateLimited: Double?
    @Option(help: "Probability of a 500.") var serverError: Double?
    @Option(help: "Probability of a 503 with Retry-After.") var unavailable: Double?
    @Option(help: "Probability of a hang (no answer for --hang-seconds).") var hang: Double?
    @Option(help: "Probability of a connection reset.") var reset: Double?
    @Option(help: "Probability of a 200 whose body is not JSON.") var malformedJson: Double?
    @Option(help: "Probability of a 200 cut in half.") var truncated: Double?
    @Option(help: "Faults in one go: rate_limited=0.1,hang=0.01,… (applied before the single-fault options).")
    var faults: String?
    @Option(help: "Retry-After of injected 429/503s, in seconds.") var retryAfterSeconds: Double?
    @Option(help: "How long an injected hang lasts, in seconds.") var hangSeconds: Double?

    @Option(help: "Requests per minute per API key (token bucket).") var rpm: Int?
    @Option(help: "Tokens per minute per API key.") var tpm: Int?
    @Option(help: "Require 'Authorization: Bearer KEY' where KEY is this environment variable's value (the key is never printed).")
    var requireApiKeyEnv: String?
    @Option(help: "How a missing or wrong key is answered: openai (401), gateway_400 (400 'No connected db.'), gateway_403, gateway_500.")
    var authFailureStyle: String?
    @Flag(help: "Send 429s bare, without Retry-After or x-ratelimit-* headers, as many gateways do.")
    var noRetryAfter = false

    @Option(help: "Probability that an answer contains invented facts (ground truth at GET /stats/hallucinations).")
    var hallucinationRate: Double?
    @Option(help: "Probability that the grounding judge gives the wrong verdict.") var judgeErrorRate: Double?
    @Option(help: "Seed for content, faults and latency.") var seed: UInt64?
    @Option(help: "Model ids served, comma-separated.") var models: String?
    @Option(help: "Context window in tokens.") var contextWindow: Int?
    @Option(help: "Default embedding length.") var embeddingDimensions: Int?
    @Option(help: "Listen backlog.") var backlog: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel: String = "warning"

    func run() async throws {
        LogSetup.bootstrap(level: logLevel)
        let simulator = Simulator(configuration: try simulatorConfiguration())
        try await ServiceRunner.run([simulator], shutdownAllowance: .seconds(10), logger: Logger(label: "quarry.simulator"))
    }

    /// The configuration these options describe (validated by `Simulator.start`).
    func simulatorConfiguration() throws -> SimulatorConfiguration {
        var configuration = SimulatorConfiguration()
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else { throw ValidationError("cannot read --config \(config)") }
            do {
                configuration = try JSONDecoder().decode(SimulatorConfiguration.self, from: data)
            } catch {
                throw ValidationError("--config \(config) is not a valid simulator configuration: \(error)")
            }
        }
        if let host { configuration.host = host }
        if let port {
            configuration.port = port
        } else if config == nil {
            configuration.port = 8080
        }
        if let latency {
            guard let model = LatencyModel(spec: Self.latencySpec(latency)) else {
                throw ValidationError("--latency '\(latency)': expected fixed:MS, uniform:MIN,MAX, lognormal:P50,P99 or a number of ms")
            }
            configuration.latency = model
        }
        if let perTokenLatencyMs { configuration.perOutputTokenLatencyMs = perTokenLatencyMs }
        if let faults {
            guard let rates = FaultRates(spec: faults) else { throw ValidationError("--faults '\(faults)': expected name=rate,… with names like rate_limited") }
            configuration.faults = rates
        }
        let single: [(FaultKind, Double?)] = [
            (.rateLimited, rateLimited), (.serverError, serverError), (.unavailable, unavailable), (.hang, hang), (.reset, reset),
            (.malformedJSON, malformedJson), (.truncated, truncated),
        ]
        for (kind, rate) in single { if let rate { configuration.faults[kind] = rate } }
        if let retryAfterSeconds { configuration.retryAfterSeconds = retryAfterSeconds }
        if let hangSeconds { configuration.hangSeconds = hangSeconds }
        if let rpm { configuration.rpm = rpm }
        if let tpm { configuration.tpm = tpm }
        if let requireApiKeyEnv {
            guard let key = ProcessInfo.processInfo.environment[requireApiKeyEnv], !key.isEmpty else {
                throw ValidationError("--require-api-key-env: environment variable \(requireApiKeyEnv) is not set")
            }
            configuration.requiredAPIKey = key
        }
        if let authFailureStyle {
            guard let style = AuthFailureStyle(rawValue: authFailureStyle) else {
                let known = AuthFailureStyle.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("--auth-failure-style '\(authFailureStyle)': expected one of \(known)")
            }
            configuration.authFailureStyle = style
        }
        if noRetryAfter { configuration.rateLimitRetryAfter = false }
        if let hallucinationRate { configuration.hallucinationRate = hallucinationRate }
        if let judgeErrorRate { configuration.judgeErrorRate = judgeErrorRate }
        if let seed { configuration.seed = seed }
        if let models { configuration.models = models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        if let contextWindow { configuration.contextWindowTokens = contextWindow }
        if let embeddingDimensions { configuration.embeddingDimensions = embeddingDimensions }
        if let backlog { configuration.backlog = backlog }
        configuration.logLevel = Logger.Level(rawValue: logLevel.lowercased()) ?? .warning
        do {
            try configuration.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        return configuration
    }

    /// Also accepts durations with units ("200ms", "1.5s") as fixed latencies.
    static func latencySpec(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed.hasSuffix("ms"), let ms = Double(trimmed.dropLast(2)) { return "fixed:\(ms)" }
        if trimmed.hasSuffix("s"), let seconds = Double(trimmed.dropLast()) { return "fixed:\(seconds * 1000)" }
        return trimmed
    }
}
