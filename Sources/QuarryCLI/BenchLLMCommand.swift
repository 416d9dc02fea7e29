import QuarryJSON
import ArgumentParser
import Foundation
import QuarryHTTP
import QuarryLLM
import QuarryPostgres
import QuarrySimulator

/// `quarry bench llm`: Quarry's LLM client against the simulator at a fixed latency, beside Python's aiohttp
/// doing the same against the same simulator.
struct BenchLLMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm",
        abstract: "Drive N chat requests at concurrency C through Quarry's LLM client, then the same load with aiohttp.",
        discussion: """
            Starts `quarry simulate` as a child process (so this process's CPU figures are the client's alone), \
            or uses --url. For each concurrency C: requests per second, achieved ÷ Little's-law limit \
            (C ÷ latency), CPU seconds per 1,000 requests (getrusage), and peak RSS. Then \
            scripts/bench_llm_aiohttp.py runs the same load and reports its own CPU, and the ratios are printed.
            """)

    @Option(help: "Concurrency levels, comma-separated.") var concurrency: String = "100,1000,2000"
    @Option(help: "Simulated latency per request (e.g. 200ms).") var latency: String = "200ms"
    @Option(help: "Requests per concurrency level (default: enough for ~5 s at the Little's-law limit, at least 5×C).")
    var requests: Int?
    @Option(help: "Use this OpenAI base URL instead of starting a simulator (its latency must match --latency).")
    var url: String?
    @Flag(help: "Run the simulator inside this process (CPU figures then include it).") var inProcessSimulator = false
    @Option(help: "HTTP driver threads (default: one per 250 in flight, at most four).") var drivers: Int?
    @Flag(help: "Skip the aiohttp baseline.") var skipPython = false
    @Option(help: "Python interpreter for the baseline.") var python: String = "python3"
    @Option(help: "Path of bench_llm_aiohttp.py (default: scripts/ next to the migrations folder).") var script: String?

    struct Measurement: Sendable {
        var concurrency: Int
        var requests: Int
        var ok: Int
        var errors: Int
        var seconds: Double
        var cpuSeconds: Double
        var peakRSSMB: Double
        /// CPU the simulator child spent serving this run, when it is a child process.
        var simulatorCPUSeconds: Double? = nil

        var requestsPerSecond: Double { Double(requests) / seconds }
        var cpuPerThousand: Double { cpuSeconds / Double(requests) * 1_000 }
    }

    func run() async throws {
        LogSetup.bootstrap(level: "warning")
        let levels = concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !levels.isEmpty, levels.allSatisfy({ $0 > 0 }) else { throw ValidationError("--concurrency: positive integers, comma-separated") }
        let latencySpec = SimulateCommand.latencySpec(latency)
        guard case .fixed(let latencyMs)? = LatencyModel(spec: latencySpec), latencyMs > 0 else {
            throw ValidationError("--latency must be a fixed positive latency such as 200ms")
        }

        var child: ChildProcess?
        var inProcess: Simulator?
        let baseURL: String
        if let url {
            baseURL = url
        } else if inProcessSimulator {
            var configuration = SimulatorConfiguration()
            configuration.latency = .fixed(ms: latencyMs)
            configuration.backlog = 4096
            let simulator = Simulator(configuration: configuration)
            baseURL = "http://127.0.0.1:\(try await simulator.start())/v1"
            inProcess = simulator
        } else {
            let (process, address) = try await Self.startSimulator(latencyMs: latencyMs)
            child = process
            baseURL = address
        }
        defer {
            child?.signal(SIGTERM)
        }
        print("simulator: \(baseURL), latency \(Int(latencyMs)) ms\(inProcessSimulator ? " (in process: CPU includes it)" : "")")

        var results: [(quarry: Measurement, python: Measurement?)] = []
        for level in levels {
            let total = requests ?? max(level * 5, Int(5 * Double(level) / (latencyMs / 1_000)))
            let simulatorBefore = child.flatMap { Self.processCPUSeconds(pid: $0.pid) }
            var quarry = try await Self.measureQuarry(baseURL: baseURL, concurrency: level, requests: total, drivers: drivers)
            if let before = simulatorBefore, let after = child.flatMap({ Self.processCPUSeconds(pid: $0.pid) }) {
                // Includes the warm-up round (C requests), so it slightly overstates the simulator's share.
                quarry.simulatorCPUSeconds = after - before
            }
            print(Self.line("quarry ", quarry, latencyMs: latencyMs))
            var baseline: Measurement?
            if !skipPython {
                baseline = try await measurePython(baseURL: baseURL, concurrency: level, requests: total)
                if let baseline { print(Self.line("aiohttp", baseline, latencyMs: latencyMs)) }
            }
            results.append((quarry, baseline))
        }

        print("\nconcurrency  requests  quarry req/s  of limit  CPU s/1k  peak RSS MB  |  aiohttp req/s  CPU s/1k  |  CPU ratio  throughput ratio")
        for (quarry, python) in results {
            let limit = Double(quarry.concurrency) / (latencyMs / 1_000)
            var row = String(
                format: "%11d  %8d  %12.0f  %8.2f  %8.3f  %11.1f", quarry.concurrency, quarry.requests, quarry.requestsPerSecond,
                quarry.requestsPerSecond / limit, quarry.cpuPerThousand, quarry.peakRSSMB)
            if let python {
                row += String(
                    format: "  |  %13.0f  %8.3f  |  %9.3f  %16.2f", python.requestsPerSecond, python.cpuPerThousand,
                    quarry.cpuPerThousand / python.cpuPerThousand, quarry.requestsPerSecond / python.requestsPerSecond)
            }
            print(row)
        }
        print("(CPU ratio = Quarry's CPU per request ÷ aiohttp's; target ≤ 0.33. Of limit = achieved ÷ (C ÷ latency); target ≥ 0.9.)")
        if let inProcess { await inProcess.stop() }
        if let child { _ = await child.waitForExit(timeout: .seconds(10)) }
    }

    /// Starts `quarry simulate` on a free port and waits for its "listening" line.
    static func startSimulator(latencyMs: Double) async throws -> (ChildProcess, String) {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let child = try ChildProcess(
            executable, ["simulate", "--port", "0", "--latency", "fixed:\(latencyMs)", "--backlog", "4096", "--log-level", "error"])
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let output = child.output
            if let range = output.range(of: "OpenAI base URL: ") {
                let rest = output[range.upperBound...]
                if let end = rest.firstIndex(of: ")") { return (child, String(rest[..<end])) }
            }
            if let status = child.exitStatusIfExited() {
                throw ValidationError("the simulator exited (status \(status)) before listening:\n\(output)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ValidationError("the simulator did not start within 30 s:\n\(child.output)")
    }

    /// N chat requests through `LLMClient` (typed request, decoded response) with C in flight.
    static func measureQuarry(baseURL: String, concurrency: Int, requests: Int, drivers: Int?) async throws -> Measurement {
        let http = try HTTPClient(
            configuration: HTTPClient.Configuration(
                maxIdleEasyHandles: concurrency, drivers: drivers ?? HTTPClient.Configuration.recommendedDrivers(forConcurrency: concurrency)))
        defer { http.shutdown() }
        let client = LLMClient(endpoint: Endpoint(name: "bench", baseURL: baseURL, model: "sim-small", timeoutSeconds: 60), http: http)
        let request = ChatRequest(messages: [.user("Summarise why quarries keep their benches level.")], temperature: 0, maxTokens: 64)
        // Warm the connection pool so the figures are about steady state, not connection setup.
        let executors = http.taskExecutors
        try await drive(client: client, request: request, concurrency: concurrency, requests: concurrency, executors: executors)
        resetPeakRSS()
        let cpuBefore = cpuSeconds()
        let started = ContinuousClock.now
        let (ok, errors) = try await drive(client: client, request: request, concurrency: concurrency, requests: requests, executors: executors)
        let elapsed = ContinuousClock.now - started
        return Measurement(
            concurrency: concurrency, requests: requests, ok: ok, errors: errors,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            cpuSeconds: cpuSeconds() - cpuBefore, peakRSSMB: peakRSSMB())
    }

    @discardableResult
    static func drive(
        client: LLMClient, request: ChatRequest, concurrency: Int, requests: Int, executors: [any TaskExecutor]
    ) async throws -> (ok: Int, errors: Int) {
        // Each lane sends its share one after another: C lanes keep C requests in flight. Lanes run on
        // the HTTP client's driver threads (as a worker's LLM calls do), spread evenly over them.
        return await withTaskGroup(of: (ok: Int, errors: Int).self) { group in
            let lanes = min(concurrency, requests)
            for lane in 0..<lanes {
                let share = requests / lanes + (lane < requests % lanes ? 1 : 0)
                group.addTask(executorPreference: executors.isEmpty ? nil : executors[lane % executors.count]) {
                    var ok = 0
                    var errors = 0
                    for _ in 0..<share {
                        do {
                            let response = try await client.chat(request)
                            if response.choices.isEmpty { errors += 1 } else { ok += 1 }
                        } catch {
                            errors += 1
                        }
                    }
                    return (ok, errors)
                }
            }
            var total = (ok: 0, errors: 0)
            for await lane in group {
                total.ok += lane.ok
                total.errors += lane.errors
            }
            return total
        }
    }

    func measurePython(baseURL: String, concurrency: Int, requests: Int) async throws -> Measurement? {
        let path = try script ?? MigrationsLocator.locate(explicit: nil).deletingLastPathComponent().appendingPathComponent("scripts/bench_llm_aiohttp.py").path
        let command = [python, path, "--base-url", baseURL, "--concurrency", String(concurrency), "--requests", String(requests)]
        let result = try await Task.detached { try ChildProcess.run(command) }.value
        guard result.status == 0, let line = result.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
            let json = try? JSONValue.parse(String(line))
        else {
            print("aiohttp baseline failed (status \(result.status)); is aiohttp installed? (pip install aiohttp)\n\(result.output)")
            return nil
        }
        return Measurement(
            concurrency: concurrency, requests: json["requests"]?.intValue ?? 0, ok: json["ok"]?.intValue ?? 0,
            errors: json["errors"]?.intValue ?? 0, seconds: json["seconds"]?.doubleValue ?? 1,
            cpuSeconds: json["cpu_seconds"]?.doubleValue ?? 0, peakRSSMB: json["peak_rss_mb"]?.doubleValue ?? 0)
    }

    static func line(_ who: String, _ m: Measurement, latencyMs: Double) -> String {
        let limit = Double(m.concurrency) / (latencyMs / 1_000)
        let simulator = m.simulatorCPUSeconds.map {
            String(format: "; simulator CPU %.3f s per 1,000 (the machine has %d cores)", $0 / Double(m.requests) * 1_000, ProcessInfo.processInfo.activeProcessorCount)
        } ?? ""
        return simulator.isEmpty ? Self.baseLine(who, m, limit: limit) : Self.baseLine(who, m, limit: limit) + simulator
    }

    static func baseLine(_ who: String, _ m: Measurement, limit: Double) -> String {
        String(
            format: "%@ C=%d: %d requests (%d ok, %d errors) in %.2f s = %.0f req/s (%.2f of the %.0f req/s limit); CPU %.3f s per 1,000; peak RSS %.1f MB",
            who, m.concurrency, m.requests, m.ok, m.errors, m.seconds, m.requestsPerSecond, m.requestsPerSecond / limit, limit,
            m.cpuPerThousand, m.peakRSSMB)
    }

    /// utime + stime of another process, from /proc/PID/stat.
    static func processCPUSeconds(pid: pid_t) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return nil
        }
        // Fields after the command name: state is field 3, utime 14 and stime 15 (1-based).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// VmHWM: the peak resident set since the last reset.
    static func peakRSSMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_maxrss) / 1024
        }
        return kilobytes / 1024
    }

    /// Resets VmHWM (Linux: writing 5 to clear_refs), so each concurrency level reports its own peak.
    static func resetPeakRSS() {
        if let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
            handle.write(Data("5".utf8))
            try? handle.close()
        }
    }
}
