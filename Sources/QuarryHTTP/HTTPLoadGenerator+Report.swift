extension HTTPLoadGenerator {
    /// What one `run` observed.
    public struct Report: Sendable, CustomStringConvertible {
        /// Requests that finished (with a response or an error).
        public var requests = 0
        /// Responses with a 2xx status.
        public var succeeded = 0
        /// Responses with any other status (still complete HTTP exchanges).
        public var non2xx = 0
        /// Requests that ended without a response.
        public var errors = 0
        public var errorsByCode: [HTTPClientError.Code: Int] = [:]
        public var statusCounts: [Int: Int] = [:]
        /// Wall-clock time from the first request to the last completion.
        public var duration: Duration = .zero
        /// Per-request latency, as seen by the caller (queueing in the client included).
        public var latencyP50: Duration = .zero
        public var latencyP90: Duration = .zero
        public var latencyP99: Duration = .zero
        public var latencyMax: Duration = .zero

        public init() {}

        /// Finished requests per second of wall-clock time.
        public var requestsPerSecond: Double {
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            return seconds > 0 ? Double(requests) / seconds : 0
        }

        public var description: String {
            func ms(_ duration: Duration) -> String {
                let value = (Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
                return String(Int(value.rounded())) + "ms"
            }
            return "\(requests) requests in \(ms(duration)) (\(Int(requestsPerSecond.rounded())) req/s): "
                + "\(succeeded) 2xx, \(non2xx) other status, \(errors) errors; "
                + "latency p50 \(ms(latencyP50)) p90 \(ms(latencyP90)) p99 \(ms(latencyP99)) max \(ms(latencyMax))"
        }

        mutating func setLatencies(_ latencies: [Duration]) {
            guard !latencies.isEmpty else { return }
            let sorted = latencies.sorted()
            // Nearest-rank percentile.
            func percentile(_ p: Double) -> Duration {
                let rank = Int((p * Double(sorted.count)).rounded(.up))
                return sorted[min(sorted.count - 1, max(0, rank - 1))]
            }
            latencyP50 = percentile(0.50)
            latencyP90 = percentile(0.90)
            latencyP99 = percentile(0.99)
            latencyMax = sorted[sorted.count - 1]
        }
    }
}
