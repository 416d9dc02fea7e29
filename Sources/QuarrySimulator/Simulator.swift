import Synchronization
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// An OpenAI-compatible LLM endpoint simulator with fault injection, for tests, demos and load tests.
///
/// ```swift
/// var configuration = SimulatorConfiguration()
/// configuration.faults.rateLimited = 0.1
/// let simulator = Simulator(configuration: configuration)
/// let port = try await simulator.start()          // base URL: http://127.0.0.1:\(port)/v1
/// ...
/// await simulator.stop()
/// ```
///
/// Endpoints: `POST /v1/chat/completions`, `POST /v1/completions`, `POST /v1/embeddings`, `GET /v1/models`,
/// `GET /v1/models/{id}` (each also without the `/v1` prefix), and `GET /stats`, `POST /stats/reset`,
/// `GET /stats/hallucinations`, `GET /stats/duplicates`, `GET /health`.
///
/// ## Determinism
/// Generated content depends only on the request body (canonicalised: key order and whitespace do not
/// matter) and `SimulatorConfiguration.seed`. Text is built from the prompt's own words; see `GroundingSource`
/// for which words, and `TokenCounter` for how tokens are counted.
///
/// ## Hallucination ground truth
/// With probability `hallucinationRate`, decided per request body, a chat or completion answer has one to
/// three words replaced by invented proper nouns and numbers (`FictitiousVocabulary`: "Zorvath", "Quillmere",
/// "1847", ...) that the prompt does not contain. In JSON-schema output they go into answer-like string fields
/// (names containing `answer`, `response`, `summary`, `claim`, `fact`, `statement`, `explanation`, `content`,
/// `text`, `output`, `reply`, `description`, ...), or into the first string field when there is none. Every
/// 200 from those endpoints carries `x-sim-hallucinated: true|false`, computed from the content actually sent;
/// `GET /stats/hallucinations` lists the ids of hallucinated completions (ids are derived from the request, so
/// the same request always has the same id).
///
/// ## Judge mode
/// Chat requests marked `QUARRY-JUDGE` (or whose schema has a boolean `supported`/`grounded` field) are
/// answered by a lexical grounding check of `<answer>` against `<context>`; see `GroundingJudge`.
public final class Simulator: Sendable {
    public let configuration: SimulatorConfiguration

    let recorder = StatsRecorder()
    /// Answers to byte-identical requests, reused within a second (see `AnswerMemo`).
    let memo = AnswerMemo()
    let latencyTimer = LatencyTimer()
    let limiter: RateLimiter
    /// One RNG for fault and latency draws, seeded by the configuration: a short critical section per request.
    let faultRNG: Mutex<SplitMix64>
    let systemFingerprint: String
    let logger: Logger

    /// The HTTP server runs in a `ServiceGroup` of its own, so that `stop()` can shut it down gracefully
    /// (close the listener, let open requests answer) instead of cancelling it mid-request.
    private struct Server: Sendable {
        var task: Task<Void, Never>
        var group: ServiceGroup
    }

    private enum Lifecycle: Sendable {
        case idle
        case starting(Server)
        case running(Server, port: Int)
    }

    private let lifecycle = Mutex(Lifecycle.idle)

    public init(configuration: SimulatorConfiguration = SimulatorConfiguration()) {
        self.configuration = configuration
        self.limiter = RateLimiter(rpm: configuration.rpm, tpm: configuration.tpm)
        self.faultRNG = Mutex(SplitMix64(seed: SplitMix64.mix(configuration.seed ^ 0xFA17)))
        // combine, not mix: mix(0) is 0, which would give every default simulator an all-zero fingerprint.
        let fingerprint = String(SplitMix64.combine(configuration.seed, 0x5EED), radix: 16)
        self.systemFingerprint = "fp_sim_" + String((String(repeating: "0", count: 16 - fingerprint.count) + fingerprint).prefix(10))
        var logger = Logger(label: "quarry.simulator")
        logger.logLevel = configuration.logLevel
        self.logger = logger
    }

    /// Starts the HTTP server and returns the bound port (the ephemeral one when `port` is 0).
    /// Throws `SimulatorError` for an invalid configuration, a failed bind, or when already running.
    @discardableResult
    public func start() async throws -> Int {
        try configuration.validate()
        let bound = OneShot<Int>()
        let application = makeApplication { channel in
            bound.resolve(.success(channel.localAddress?.port ?? 0))
        }
        let context = ["host": configuration.host, "port": String(configuration.port)]
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)  // the group's own start/stop lines are noise here
        let group = ServiceGroup(services: [application], logger: quiet)
        let server: Server? = lifecycle.withLock { state in
            guard case .idle = state else { return nil }
            latencyTimer.resume()
            // The server runs in its own task so that start() can return once it listens; stop() shuts it down.
            let task = Task {
                do {
                    try await group.run()
                    bound.resolve(.failure(SimulatorError(code: .startFailed, message: "the HTTP server exited before listening", context: context)))
                } catch {
                    bound.resolve(.failure(SimulatorError(code: .startFailed, message: "the HTTP server failed: \(error)", context: context)))
                }
            }
            let server = Server(task: task, group: group)
            state = .starting(server)
            return server
        }
        guard let server else {
            throw SimulatorError(code: .alreadyRunning, message: "start() called on a running simulator", context: context)
        }
        do {
            let port = try await bound.value
            lifecycle.withLock { state in
                if case .starting = state { state = .running(server, port: port) }
            }
            logger.info("simulator listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
            return port
        } catch {
            await Self.shutDown(server)
            lifecycle.withLock { $0 = .idle }
            throw error
        }
    }

    /// Stops the server gracefully: injected latencies and hangs end at once (their requests are counted as
    /// cancelled), open connections close after their current answer, and the listener closes. Safe to call
    /// when not running. Stats survive, and the simulator can be started again.
    public func stop() async {
        let server: Server? = lifecycle.withLock { state in
            switch state {
            case .idle:
                return nil
            case .starting(let server), .running(let server, _):
                state = .idle
                return server
            }
        }
        guard let server else { return }
        latencyTimer.interruptAll()
        await Self.shutDown(server)
    }

    private static func shutDown(_ server: Server) async {
        await server.group.triggerGracefulShutdown()
        await server.task.value
    }

    /// The bound port while running, else nil.
    public var port: Int? {
        lifecycle.withLock { state in
            if case .running(_, let port) = state { return port }
            return nil
        }
    }

    /// `http://host:port/v1` while running: what OpenAI clients take as their base URL.
    public var baseURL: String? {
        port.map { "http://\(configuration.host):\($0)/v1" }
    }

    /// A snapshot of the counters (the same data as `GET /stats`).
    public var stats: SimulatorStats {
        recorder.snapshot
    }

    /// Ids of completions that were served with invented content (the same data as `GET /stats/hallucinations`).
    public var hallucinatedCompletionIDs: [String] {
        recorder.hallucinations.ids
    }

    /// Zeroes the counters (the same as `POST /stats/reset`).
    public func resetStats() {
        recorder.reset()
    }
}
