import QuarryJSON
import Foundation
import Hummingbird
import NIOCore

extension Simulator {
    /// The shared path of every generating endpoint:
    /// fault draw → read body → count duplicates → auth (401) → parse (400) → validate (400/404) → context
    /// window (400) → rpm/tpm limiter (429) → apply fault → generate → latency → respond (or corrupt, reset,
    /// fail). No lock is held across any `await`.
    func serve(
        _ endpoint: String,
        request: Request,
        context: SimulatorRequestContext,
        prepare: (JSONValue, GenerationEnvironment) throws(APIError) -> PreparedRequest
    ) async -> Response {
        let sequence = recorder.begin(endpoint: endpoint)
        // Drawn before anything else so that a hang can wrap the whole request (see below); a fault is only
        // applied (and counted) once the request has passed validation and the limiter.
        let (fault, latencySeed) = faultRNG.withLock { rng in
            (configuration.faults.fault(forDraw: rng.nextUnit()), rng.next())
        }
        let exchange = Exchange(
            endpoint: endpoint, sequence: sequence, headers: request.headers, channel: context.channel, fault: fault,
            latencySeed: latencySeed)
        guard fault == .hang else {
            return await process(exchange, body: request.body, prepare: prepare)
        }
        // Hummingbird cancels this operation when the client closes its side of the connection, which ends
        // the hang early instead of pinning a task for `hangSeconds`. It must be handed the unread body.
        do {
            return try await request.body.consumeWithCancellationOnInboundClose { body in
                await self.process(exchange, body: body, prepare: prepare)
            }
        } catch {
            // process() has already counted the request as cancelled.
            return Self.json(.gatewayTimeout, Data())
        }
    }

    private func process(
        _ exchange: Exchange,
        body: RequestBody,
        prepare: (JSONValue, GenerationEnvironment) throws(APIError) -> PreparedRequest
    ) async -> Response {
        let fault = exchange.fault
        var headers: [(name: String, value: String)] = [("x-request-id", "req_sim_\(exchange.sequence)")]
        var apiKey = "anonymous"
        var limiterHeadersSent = false
        do {
            let buffer: ByteBuffer
            do {
                buffer = try await body.collect(upTo: configuration.maxRequestBodyBytes)
            } catch {
                throw APIError(
                    status: .contentTooLarge, type: "invalid_request_error", code: "request_too_large",
                    message: "The request body exceeds \(configuration.maxRequestBodyBytes) bytes.", param: nil)
            }
            let bodyBytes = Data(buffer.readableBytesView)
            let bodyHash = bodyBytes.withUnsafeBytes { FNV1a.hash(bytes: $0.bindMemory(to: UInt8.self)) }
            recorder.recordBody(hash: bodyHash)
            apiKey = try authenticate(exchange.headers[.authorization])

            let created = Int(Date().timeIntervalSince1970)
            // Either an answer rendered earlier this second for the same bytes, or a validated request to answer.
            let source: AnswerSource
            if let memoized = memo.lookup(endpoint: exchange.endpoint, bodyHash: bodyHash, body: bodyBytes, created: created) {
                source = .memoized(memoized)
            } else {
                let json: JSONValue
                do {
                    json = try JSONValue.parse(bodyBytes)
                } catch {
                    throw APIError.invalidRequest(
                        "We could not parse the JSON body of your request: \(error). "
                            + "The body must be a JSON object with the OpenAI API's fields.",
                        code: "invalid_json")
                }
                let environment = GenerationEnvironment(
                    request: json, configuration: configuration, systemFingerprint: systemFingerprint, created: created)
                let request = try prepare(json, environment)
                guard configuration.models.contains(request.model) else { throw APIError.modelNotFound(request.model) }
                if request.contextTokens > configuration.contextWindowTokens {
                    throw APIError.contextLengthExceeded(
                        limit: configuration.contextWindowTokens, requested: request.contextTokens, param: request.contextParam)
                }
                source = .fresh(request)
            }
            let model = source.model
            let tokenCost = source.tokenCost

            let decision = limiter.acquire(key: apiKey, tokens: tokenCost)
            // A gateway that sends bare 429s sends no x-ratelimit-* hints either.
            if configuration.rateLimitRetryAfter { headers.append(contentsOf: decision.headers) }
            limiterHeadersSent = true
            guard decision.allowed else {
                recorder.recordLimiterRejection()
                let kind = decision.exceeded ?? "requests"
                throw APIError.retryable(
                    status: .tooManyRequests, type: kind, code: "rate_limit_exceeded",
                    message: "Rate limit reached for \(model) on \(kind) per minute for this API key "
                        + "(simulated limiter: rpm=\(configuration.rpm.map(String.init) ?? "none"), "
                        + "tpm=\(configuration.tpm.map(String.init) ?? "none")).",
                    retryAfterSeconds: configuration.rateLimitRetryAfter
                        ? (decision.retryAfterSeconds.isFinite ? decision.retryAfterSeconds : 60) : nil)
            }

            if let fault {
                recorder.recordFault(fault)
                headers.append(("x-sim-fault", fault.rawValue))
            }
            switch fault {
            case .rateLimited?:
                throw APIError.retryable(
                    status: .tooManyRequests, type: "requests", code: "rate_limit_exceeded",
                    message: "Rate limit reached for requests (simulated fault). Please retry after the indicated time.",
                    retryAfterSeconds: configuration.rateLimitRetryAfter ? configuration.retryAfterSeconds : nil)
            case .unavailable?:
                throw APIError.retryable(
                    status: .serviceUnavailable, type: "server_error", code: "service_unavailable",
                    message: "The server is overloaded or not ready yet (simulated fault).",
                    retryAfterSeconds: configuration.retryAfterSeconds)
            case .hang?:
                // Cancelled (throwing CancellationError) when the client hangs up or the simulator stops.
                try await latencyTimer.sleep(nanoseconds: Int64(configuration.hangSeconds * 1_000_000_000), on: exchange.channel.eventLoop)
            default:
                break
            }

            let output: EndpointOutput
            let encoded: Data
            switch source {
            case .memoized(let memoized):
                output = memoized.output
                encoded = memoized.encoded
            case .fresh(let request):
                output = request.produce()
                encoded = output.body.encodedData()
                memo.store(
                    endpoint: exchange.endpoint, bodyHash: bodyHash,
                    entry: AnswerMemo.Entry(
                        body: bodyBytes, created: created, model: model, tokenCost: tokenCost, output: output, encoded: encoded))
            }
            var latencyRNG = SplitMix64(seed: exchange.latencySeed)
            let latencyMs =
                configuration.latency.sampleMilliseconds(using: &latencyRNG)
                + (configuration.perOutputTokenLatencyMs ?? 0) * Double(output.completionTokens)
            if latencyMs > 0 {
                try await latencyTimer.sleep(nanoseconds: Int64(latencyMs * 1_000_000), on: exchange.channel.eventLoop)
            }
            headers.append(("openai-processing-ms", String(Int(latencyMs.rounded()))))
            headers.append(("openai-model", model))
            if let hallucinated = output.hallucinated {
                headers.append(("x-sim-hallucinated", hallucinated ? "true" : "false"))
            }
            if output.judge { headers.append(("x-sim-judge", "true")) }

            switch fault {
            case .serverError?:
                throw APIError(
                    status: .internalServerError, type: "server_error", code: "internal_error",
                    message: "The server had an error while processing your request. Sorry about that! (simulated fault)",
                    param: nil)
            case .reset?:
                await Self.reset(exchange.channel)
                recorder.finish(status: "reset")
                return Self.json(.ok, Data())
            case .malformedJSON?:
                recorder.finish(status: "200")
                return Self.json(.ok, Self.malformed(encoded), headers: headers)
            case .truncated?:
                recorder.finish(status: "200")
                return Self.json(.ok, encoded.prefix(encoded.count / 2), headers: headers)
            default:
                recorder.finish(
                    status: "200",
                    delivery: StatsRecorder.Delivery(
                        promptTokens: output.promptTokens, completionTokens: output.completionTokens,
                        hallucinated: output.hallucinated, judge: output.judge, completionID: output.completionID,
                        bodyHash: bodyHash))
                return Self.json(.ok, encoded, headers: headers)
            }
        } catch let error as APIError {
            if !limiterHeadersSent && limiter.isActive && configuration.rateLimitRetryAfter {
                headers.append(contentsOf: limiter.peek(key: apiKey).headers)
            }
            recorder.finish(status: String(error.status.code))
            return Self.json(error.status, error.body.encodedData(), headers: headers + error.headers)
        } catch {
            // Only cancellation reaches here (a hang cut short, or the server stopping): nobody reads this.
            recorder.finish(status: "cancelled")
            return Self.json(.serviceUnavailable, Data())
        }
    }

    private enum AnswerSource {
        case memoized(AnswerMemo.Entry)
        case fresh(PreparedRequest)

        var model: String {
            switch self {
            case .memoized(let entry): entry.model
            case .fresh(let request): request.model
            }
        }

        var tokenCost: Int {
            switch self {
            case .memoized(let entry): entry.tokenCost
            case .fresh(let request): request.tokenCost
            }
        }
    }

    /// The API key for limiter buckets; 401 when `requiredAPIKey` is set and not presented.
    func authenticate(_ authorization: String?) throws(APIError) -> String {
        let token: String? = authorization.flatMap { value in
            let parts = value.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
            let token = parts[1].trimmingCharacters(in: .whitespaces)
            return token.isEmpty ? nil : token
        }
        if let required = configuration.requiredAPIKey {
            guard let token else { throw APIError.unauthorized(missing: true, style: configuration.authFailureStyle) }
            guard token == required else { throw APIError.unauthorized(missing: false, style: configuration.authFailureStyle) }
        }
        return token ?? "anonymous"
    }

    /// Closes the connection with an RST: SO_LINGER with a zero timeout makes close() discard the socket
    /// instead of the orderly FIN, so the client sees ECONNRESET and no response at all.
    private static func reset(_ channel: any Channel) async {
        if let provider = channel as? any SocketOptionProvider {
            try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close().get()
    }

    /// A full-length body that no JSON parser accepts: the first key loses its opening quote.
    private static func malformed(_ body: Data) -> Data {
        var text = String(decoding: body, as: UTF8.self)
        if text.hasPrefix("{\"") {
            text.remove(at: text.index(after: text.startIndex))
        }
        return Data((text + "}").utf8)
    }
}
