import Foundation

/// Probabilities (each 0...1) of injecting each `FaultKind` into a request to a `/v1/...` POST endpoint.
///
/// One uniform draw per request is compared against the cumulative rates in `FaultKind.allCases` order, so at
/// most one fault hits a request; when rates sum past 1 the earlier kinds win (a rate of 1.0 always means
/// "every request gets exactly this fault"). Draws come from a single RNG seeded by
/// `SimulatorConfiguration.seed`, so a retry of the same body gets a fresh draw, as it would against a real API.
public struct FaultRates: Sendable, Codable, Equatable {
    public var rateLimited: Double
    public var serverError: Double
    public var unavailable: Double
    public var hang: Double
    public var reset: Double
    public var malformedJSON: Double
    public var truncated: Double

    public init(
        rateLimited: Double = 0,
        serverError: Double = 0,
        unavailable: Double = 0,
        hang: Double = 0,
        reset: Double = 0,
        malformedJSON: Double = 0,
        truncated: Double = 0
    ) {
        self.rateLimited = rateLimited
        self.serverError = serverError
        self.unavailable = unavailable
        self.hang = hang
        self.reset = reset
        self.malformedJSON = malformedJSON
        self.truncated = truncated
    }

    /// No faults.
    public static let none = FaultRates()

    /// Parses the CLI form `rate_limited=0.1,hang=0.01` (names as `FaultKind` raw values, camelCase also
    /// accepted; `429`, `500`, `503` are aliases). Returns nil on an unknown name or a non-numeric rate.
    public init?(spec: String) {
        self.init()
        for item in spec.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let rate = Double(pair[1]) else { return nil }
            let name = pair[0].lowercased().replacingOccurrences(of: "-", with: "_")
            let aliases: [String: FaultKind] = [
                "429": .rateLimited, "ratelimited": .rateLimited, "500": .serverError, "servererror": .serverError,
                "503": .unavailable, "malformedjson": .malformedJSON, "malformed": .malformedJSON,
            ]
            guard let kind = FaultKind(rawValue: name) ?? aliases[name] else { return nil }
            self[kind] = rate
        }
    }

    public subscript(kind: FaultKind) -> Double {
        get {
            switch kind {
            case .rateLimited: return rateLimited
            case .serverError: return serverError
            case .unavailable: return unavailable
            case .hang: return hang
            case .reset: return reset
            case .malformedJSON: return malformedJSON
            case .truncated: return truncated
            }
        }
        set {
            switch kind {
            case .rateLimited: rateLimited = newValue
            case .serverError: serverError = newValue
            case .unavailable: unavailable = newValue
            case .hang: hang = newValue
            case .reset: reset = newValue
            case .malformedJSON: malformedJSON = newValue
            case .truncated: truncated = newValue
            }
        }
    }

    /// The fault for a uniform draw `u` in [0, 1), or nil for a normal response.
    func fault(forDraw u: Double) -> FaultKind? {
        var cumulative = 0.0
        for kind in FaultKind.allCases {
            let rate = self[kind]
            guard rate > 0 else { continue }
            cumulative += rate
            if u < cumulative { return kind }
        }
        return nil
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            rateLimited: try container.decodeIfPresent(Double.self, forKey: .rateLimited) ?? 0,
            serverError: try container.decodeIfPresent(Double.self, forKey: .serverError) ?? 0,
            unavailable: try container.decodeIfPresent(Double.self, forKey: .unavailable) ?? 0,
            hang: try container.decodeIfPresent(Double.self, forKey: .hang) ?? 0,
            reset: try container.decodeIfPresent(Double.self, forKey: .reset) ?? 0,
            malformedJSON: try container.decodeIfPresent(Double.self, forKey: .malformedJSON) ?? 0,
            truncated: try container.decodeIfPresent(Double.self, forKey: .truncated) ?? 0)
    }
}
