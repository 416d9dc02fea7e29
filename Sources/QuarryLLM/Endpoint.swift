/// One OpenAI-compatible endpoint as configured in the endpoints file: where it is, which model it serves,
/// how hard the whole worker pool may drive it, and what it costs.
///
/// The API key itself is never stored here: only the name of the environment variable that holds it,
/// read at the moment a request is sent (so keys never reach the database, logs or error messages).
public struct Endpoint: Sendable, Equatable {
    public var name: String
    /// The OpenAI base URL, e.g. `https://api.openai.com/v1`; paths such as `/chat/completions` are appended.
    public var baseURL: String
    public var model: String
    /// Environment variable holding the bearer token; nil sends no Authorization header.
    public var apiKeyEnv: String?
    /// Extra request headers (organisation ids and the like). Not for secrets: they are plain config.
    public var headers: [String: String]
    /// Requests per minute for the whole worker pool (shared by live workers), or nil for no limit.
    public var rpm: Int?
    /// Tokens (prompt + requested completion) per minute for the whole pool, or nil.
    public var tpm: Int?
    /// Requests in flight at once from one process.
    public var maxInFlight: Int
    /// Limit on one HTTP exchange.
    public var timeoutSeconds: Double
    /// US dollars per million prompt tokens.
    public var pricePerMillionInput: Double
    /// US dollars per million completion tokens.
    public var pricePerMillionOutput: Double
    /// Endpoints naming the same namespace share cached answers (for the same model and request); nil
    /// keeps this endpoint's answers to itself (see `cacheIdentity`).
    public var cacheNamespace: String?

    public init(
        name: String, baseURL: String, model: String, apiKeyEnv: String? = nil, headers: [String: String] = [:],
        rpm: Int? = nil, tpm: Int? = nil, maxInFlight: Int = 256, timeoutSeconds: Double = 120,
        pricePerMillionInput: Double = 0, pricePerMillionOutput: Double = 0, cacheNamespace: String? = nil
    ) {
        self.cacheNamespace = cacheNamespace
        self.name = name
        self.baseURL = baseURL
        self.model = model
        self.apiKeyEnv = apiKeyEnv
        self.headers = headers
        self.rpm = rpm
        self.tpm = tpm
        self.maxInFlight = maxInFlight
        self.timeoutSeconds = timeoutSeconds
        self.pricePerMillionInput = pricePerMillionInput
        self.pricePerMillionOutput = pricePerMillionOutput
    }

    /// The URL of an API path such as `/chat/completions`.
    public func url(_ path: String) -> String {
        var base = Substring(baseURL)
        while base.hasSuffix("/") { base = base.dropLast() }
        return base + path
    }

    /// Who answers, as far as the response cache is concerned: the base URL (normalised: scheme and host
    /// lowercased, trailing slashes dropped), or `ns:<cache_namespace>` when the endpoints file shares a
    /// namespace. The model is in every request body, so it is part of the key already. Two providers
    /// serving the same model name never share answers unless the user says so.
    public var cacheIdentity: String {
        if let cacheNamespace { return "ns:" + cacheNamespace }
        var base = Substring(baseURL)
        while base.hasSuffix("/") { base = base.dropLast() }
        guard let schemeEnd = base.range(of: "://") else { return String(base) }
        let afterScheme = base[schemeEnd.upperBound...]
        let hostEnd = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        return base[..<hostEnd].lowercased() + afterScheme[hostEnd...]
    }

    /// What `inputTokens` prompt and `outputTokens` completion tokens cost, in US dollars.
    public func cost(inputTokens: Int, outputTokens: Int) -> Double {
        (Double(inputTokens) * pricePerMillionInput + Double(outputTokens) * pricePerMillionOutput) / 1_000_000
    }
}
