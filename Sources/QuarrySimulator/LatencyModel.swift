import Foundation

/// How long the simulator waits before answering a request (before any per-output-token latency).
public enum LatencyModel: Sendable, Equatable {
    /// Always `ms` milliseconds.
    case fixed(ms: Double)
    /// Uniform between `minMs` and `maxMs`.
    case uniform(minMs: Double, maxMs: Double)
    /// Log-normal with the given median and 99th percentile: the long-tailed shape real LLM APIs show.
    /// Samples are capped at 5 × p99 so a single draw cannot stall a test run.
    case logNormal(p50Ms: Double, p99Ms: Double)

    /// No added latency.
    public static let none = LatencyModel.fixed(ms: 0)

    /// Parses the CLI form: `fixed:50`, `uniform:10,200`, `lognormal:300,2000` (milliseconds), or a bare number
    /// meaning fixed. Returns nil for anything else.
    public init?(spec: String) {
        let trimmed = spec.trimmingCharacters(in: .whitespaces).lowercased()
        if let ms = Double(trimmed) {
            self = .fixed(ms: ms)
            return
        }
        let parts = trimmed.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        let numbers = parts[1].split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        switch (parts[0], numbers.count) {
        case ("fixed", 1): self = .fixed(ms: numbers[0])
        case ("uniform", 2): self = .uniform(minMs: numbers[0], maxMs: numbers[1])
        case ("lognormal", 2), ("log-normal", 2), ("lognorm", 2): self = .logNormal(p50Ms: numbers[0], p99Ms: numbers[1])
        default: return nil
        }
    }

    /// The spec string `init(spec:)` accepts.
    public var spec: String {
        switch self {
        case .fixed(let ms): return "fixed:\(ms)"
        case .uniform(let minMs, let maxMs): return "uniform:\(minMs),\(maxMs)"
        case .logNormal(let p50Ms, let p99Ms): return "lognormal:\(p50Ms),\(p99Ms)"
        }
    }

    /// A problem with the parameters, or nil when they are usable.
    var problem: String? {
        switch self {
        case .fixed(let ms):
            return ms >= 0 && ms.isFinite ? nil : "fixed latency must be a non-negative number of ms"
        case .uniform(let minMs, let maxMs):
            return minMs >= 0 && maxMs >= minMs && maxMs.isFinite ? nil : "uniform latency needs 0 <= minMs <= maxMs"
        case .logNormal(let p50Ms, let p99Ms):
            return p50Ms > 0 && p99Ms >= p50Ms && p99Ms.isFinite ? nil : "log-normal latency needs 0 < p50Ms <= p99Ms"
        }
    }

    /// Draws one latency in milliseconds.
    func sampleMilliseconds(using rng: inout SplitMix64) -> Double {
        switch self {
        case .fixed(let ms):
            return ms
        case .uniform(let minMs, let maxMs):
            return minMs + (maxMs - minMs) * rng.nextUnit()
        case .logNormal(let p50Ms, let p99Ms):
            // Median of a log-normal is e^mu; its 99th percentile is e^(mu + 2.3263 sigma).
            let mu = log(p50Ms)
            let sigma = max(0, (log(p99Ms) - mu) / 2.326_347_874)
            return min(exp(mu + sigma * rng.nextGaussian()), p99Ms * 5)
        }
    }
}
