import QuarryJSON

/// What every generator needs from the configuration and the request, computed once per request.
struct GenerationEnvironment: Sendable {
    /// Canonical request hash mixed with the configured seed: the root of all per-request determinism.
    let requestSeed: UInt64
    let hallucinationRate: Double
    let judgeErrorRate: Double
    let systemFingerprint: String
    let embeddingDimensions: Int
    let created: Int

    /// `created` is the Unix second the answer is stamped with (OpenAI's `created`).
    init(request: JSONValue, configuration: SimulatorConfiguration, systemFingerprint: String, created: Int) {
        self.requestSeed = SplitMix64.combine(request.canonicalHash, configuration.seed)
        self.hallucinationRate = configuration.hallucinationRate
        self.judgeErrorRate = configuration.judgeErrorRate
        self.systemFingerprint = systemFingerprint
        self.embeddingDimensions = configuration.embeddingDimensions
        self.created = created
    }

    /// A stable draw in [0, 1) for one named per-request decision.
    func unit(_ purpose: UInt64) -> Double {
        var rng = SplitMix64(seed: SplitMix64.combine(requestSeed, purpose))
        return rng.nextUnit()
    }

    /// Decided per request body: the same request is always hallucinated or always clean.
    var shouldHallucinate: Bool { unit(0x4841_4C4C) < hallucinationRate }
    var shouldFlipJudge: Bool { unit(0x4A55_4447) < judgeErrorRate }

    /// 24 hex digits derived from the request, so the same request gets the same id.
    var idSuffix: String {
        let a = String(SplitMix64.mix(requestSeed), radix: 16)
        let b = String(SplitMix64.mix(requestSeed ^ 0x5151), radix: 16)
        let padded = String(repeating: "0", count: 16 - a.count) + a + String(repeating: "0", count: 16 - b.count) + b
        return String(padded.prefix(24))
    }
}
