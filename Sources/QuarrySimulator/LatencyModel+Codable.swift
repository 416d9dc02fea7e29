extension LatencyModel: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, ms, minMs, maxMs, p50Ms, p99Ms
    }

    /// Encoded as `{"type":"fixed","ms":5}`, `{"type":"uniform","minMs":1,"maxMs":9}` or
    /// `{"type":"logNormal","p50Ms":200,"p99Ms":1500}`; a bare spec string is accepted when decoding.
    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let spec = try? single.decode(String.self) {
            guard let model = LatencyModel(spec: spec) else {
                throw DecodingError.dataCorruptedError(in: single, debugDescription: "unrecognised latency spec '\(spec)'")
            }
            self = model
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type.lowercased() {
        case "fixed":
            self = .fixed(ms: try container.decode(Double.self, forKey: .ms))
        case "uniform":
            self = .uniform(
                minMs: try container.decode(Double.self, forKey: .minMs),
                maxMs: try container.decode(Double.self, forKey: .maxMs))
        case "lognormal", "log-normal":
            self = .logNormal(
                p50Ms: try container.decode(Double.self, forKey: .p50Ms),
                p99Ms: try container.decode(Double.self, forKey: .p99Ms))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "unknown latency model type '\(type)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .fixed(let ms):
            try container.encode("fixed", forKey: .type)
            try container.encode(ms, forKey: .ms)
        case .uniform(let minMs, let maxMs):
            try container.encode("uniform", forKey: .type)
            try container.encode(minMs, forKey: .minMs)
            try container.encode(maxMs, forKey: .maxMs)
        case .logNormal(let p50Ms, let p99Ms):
            try container.encode("logNormal", forKey: .type)
            try container.encode(p50Ms, forKey: .p50Ms)
            try container.encode(p99Ms, forKey: .p99Ms)
        }
    }
}
