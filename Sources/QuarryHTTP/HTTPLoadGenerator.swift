/// Fires the same request `totalRequests` times with at most `concurrency` in flight and reports
/// throughput, latency and failures. The engine behind `quarry bench llm`; it has no CLI of its own.
///
/// ```swift
/// let report = await HTTPLoadGenerator(
///     request: HTTPRequest(method: .post, url: url, body: payload),
///     totalRequests: 10_000, concurrency: 1_000
/// ).run(on: client)
/// ```
public struct HTTPLoadGenerator: Sendable {
    public var request: HTTPRequest
    public var totalRequests: Int
    public var concurrency: Int

    public init(request: HTTPRequest, totalRequests: Int, concurrency: Int) {
        self.request = request
        self.totalRequests = max(0, totalRequests)
        self.concurrency = max(1, concurrency)
    }

    public init(url: String, totalRequests: Int, concurrency: Int) {
        self.init(request: HTTPRequest(url: url), totalRequests: totalRequests, concurrency: concurrency)
    }

    private enum Outcome: Sendable {
        case response(status: Int, latency: Duration)
        case failure(code: HTTPClientError.Code, latency: Duration)
    }

    /// Runs the load and returns once every request has finished. If the calling task is cancelled, no
    /// new requests start; those in flight end with `CancellationError` and count as `.cancelled`.
    public func run(on client: HTTPClient) async -> Report {
        let clock = ContinuousClock()
        let request = self.request
        let started = clock.now
        var report = Report()
        var latencies: [Duration] = []
        latencies.reserveCapacity(totalRequests)

        await withTaskGroup(of: Outcome.self) { group in
            var launched = 0
            // Children are added as others finish, so at most `concurrency` tasks exist at once and
            // memory stays flat however large `totalRequests` is.
            func launchNext() {
                launched += 1
                group.addTask {
                    let begin = clock.now
                    do {
                        let response = try await client.execute(request)
                        return .response(status: response.status, latency: clock.now - begin)
                    } catch let error as HTTPClientError {
                        return .failure(code: error.code, latency: clock.now - begin)
                    } catch {
                        return .failure(code: .cancelled, latency: clock.now - begin)
                    }
                }
            }
            while launched < min(concurrency, totalRequests) {
                launchNext()
            }
            for await outcome in group {
                switch outcome {
                case .response(let status, let latency):
                    report.statusCounts[status, default: 0] += 1
                    if (200..<300).contains(status) {
                        report.succeeded += 1
                    } else {
                        report.non2xx += 1
                    }
                    latencies.append(latency)
                case .failure(let code, let latency):
                    report.errors += 1
                    report.errorsByCode[code, default: 0] += 1
                    latencies.append(latency)
                }
                if launched < totalRequests, !Task.isCancelled {
                    launchNext()
                }
            }
        }

        report.requests = report.succeeded + report.non2xx + report.errors
        report.duration = clock.now - started
        report.setLatencies(latencies)
        return report
    }
}
