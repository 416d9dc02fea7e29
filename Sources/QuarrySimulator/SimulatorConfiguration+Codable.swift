import Logging

extension SimulatorConfiguration {
    private enum CodingKeys: String, CodingKey {
        case host, port, latency, perOutputTokenLatencyMs, faults, retryAfterSeconds, hangSeconds, rpm, tpm
        case requiredAPIKey, authFailureStyle, rateLimitRetryAfter, hallucinationRate, judgeErrorRate, seed, models, contextWindowTokens
        case embeddingDimensions, maxRequestBodyBytes, backlog, logLevel
    }

    /// Missing keys keep their defaults, so partial config files work.
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? host
        port = try c.decodeIfPresent(Int.self, forKey: .port) ?? port
        latency = try c.decodeIfPresent(LatencyModel.self, forKey: .latency) ?? latency
        perOutputTokenLatencyMs = try c.decodeIfPresent(Double.self, forKey: .perOutputTokenLatencyMs)
        faults = try c.decodeIfPresent(FaultRates.self, forKey: .faults) ?? faults
        retryAfterSeconds = try c.decodeIfPresent(Double.self, forKey: .retryAfterSeconds) ?? retryAfterSeconds
        hangSeconds = try c.decodeIfPresent(Double.self, forKey: .hangSeconds) ?? hangSeconds
        rpm = try c.decodeIfPresent(Int.self, forKey: .rpm)
        tpm = try c.decodeIfPresent(Int.self, forKey: .tpm)
        requiredAPIKey = try c.decodeIfPresent(String.self, forKey: .requiredAPIKey)
        authFailureStyle = try c.decodeIfPresent(AuthFailureStyle.self, forKey: .authFailureStyle) ?? authFailureStyle
        rateLimitRetryAfter = try c.decodeIfPresent(Bool.self, forKey: .rateLimitRetryAfter) ?? rateLimitRetryAfter
        hallucinationRate = try c.decodeIfPresent(Double.self, forKey: .hallucinationRate) ?? hallucinationRate
        judgeErrorRate = try c.decodeIfPresent(Double.self, forKey: .judgeErrorRate) ?? judgeErrorRate
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
        models = try c.decodeIfPresent([String].self, forKey: .models) ?? models
        contextWindowTokens = try c.decodeIfPresent(Int.self, forKey: .contextWindowTokens) ?? contextWindowTokens
        embeddingDimensions = try c.decodeIfPresent(Int.self, forKey: .embeddingDimensions) ?? embeddingDimensions
        maxRequestBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxRequestBodyBytes) ?? maxRequestBodyBytes
        backlog = try c.decodeIfPresent(Int.self, forKey: .backlog) ?? backlog
        logLevel = try c.decodeIfPresent(Logger.Level.self, forKey: .logLevel) ?? logLevel
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(host, forKey: .host)
        try c.encode(port, forKey: .port)
        try c.encode(latency, forKey: .latency)
        try c.encodeIfPresent(perOutputTokenLatencyMs, forKey: .perOutputTokenLatencyMs)
        try c.encode(faults, forKey: .faults)
        try c.encode(retryAfterSeconds, forKey: .retryAfterSeconds)
        try c.encode(hangSeconds, forKey: .hangSeconds)
        try c.encodeIfPresent(rpm, forKey: .rpm)
        try c.encodeIfPresent(tpm, forKey: .tpm)
        try c.encodeIfPresent(requiredAPIKey, forKey: .requiredAPIKey)
        try c.encode(authFailureStyle, forKey: .authFailureStyle)
        try c.encode(rateLimitRetryAfter, forKey: .rateLimitRetryAfter)
        try c.encode(hallucinationRate, forKey: .hallucinationRate)
        try c.encode(judgeErrorRate, forKey: .judgeErrorRate)
        try c.encode(seed, forKey: .seed)
        try c.encode(models, forKey: .models)
        try c.encode(contextWindowTokens, forKey: .contextWindowTokens)
        try c.encode(embeddingDimensions, forKey: .embeddingDimensions)
        try c.encode(maxRequestBodyBytes, forKey: .maxRequestBodyBytes)
        try c.encode(backlog, forKey: .backlog)
        try c.encode(logLevel, forKey: .logLevel)
    }
}
