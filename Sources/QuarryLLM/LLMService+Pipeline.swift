import QuarryJSON
import Foundation
import QuarryPostgres

/// The path every endpoint call takes.
extension LLMService {
    /// Who a call is for: usage is recorded against (build, kind), and `sample` separates cache entries of
    /// independent samples of the same request.
    struct CallContext: Sendable {
        var build: Int
        var kind: String
        var sample: Int
        var policy: BuildPolicy
    }

    /// One decoded answer and where it came from.
    struct Answer<Response: LLMResponseBody>: Sendable {
        var response: Response
        var body: [UInt8]
        var usage: TokenUsage
        var cached: Bool
    }

    func context(build: Int, kind: String, sample: Int) async throws -> CallContext {
        var policy = BuildPolicy.unrestricted
        if let policies, build > 0 {
            do {
                policy = try await policies.policy(build: build)
            } catch {
                throw LLMError(code: .database, endpoint: "-", message: "could not read build \(build)'s budget and cache settings: \(error)")
            }
        }
        return CallContext(build: build, kind: kind, sample: sample, policy: policy)
    }

    func usesCache(_ context: CallContext) -> Bool {
        cache != nil && configuration.cacheEnabled && !context.policy.noCache
    }

    /// The cached answer under `key`, if there is one that still decodes. Counts a cache hit.
    func cachedAnswer<Response: LLMResponseBody>(
        _ type: Response.Type, key: [UInt8], runtime: EndpointRuntime, context: CallContext, record: Bool = true
    ) async throws -> Answer<Response>? {
        guard let cache, usesCache(context) else { return nil }
        let entry: ResponseCache.Entry?
        do {
            entry = try await cache.lookup(key)
        } catch {
            throw LLMError(code: .database, endpoint: runtime.endpoint.name, message: "response cache lookup failed: \(error)")
        }
        guard let entry, let response = try? runtime.client.decode(Response.self, entry.body) else { return nil }
        if record { recordCacheHit(runtime: runtime, context: context) }
        return Answer(response: response, body: entry.body, usage: entry.usage, cached: true)
    }

    func recordCacheHit(runtime: EndpointRuntime, context: CallContext) {
        usage?.record(
            UsageRecorder.Key(build: context.build, kind: context.kind, endpoint: runtime.endpoint.name, model: runtime.endpoint.model),
            UsageRecorder.Totals(cacheHits: 1))
    }

    /// Stores an answer paid for (see `ResponseCache`). A failure to store costs a future re-payment, not this
    /// task: logged only.
    func remember<Response: LLMResponseBody>(_ answer: Answer<Response>, key: [UInt8], path: String, runtime: EndpointRuntime, context: CallContext) async {
        guard let cache, usesCache(context), !answer.cached else { return }
        do {
            try await cache.store(
                key, endpoint: runtime.endpoint.name, model: runtime.endpoint.model, path: path, body: answer.body, usage: answer.usage)
        } catch {
            logger.warning("could not store an answer of endpoint '\(runtime.endpoint.name)' in the cache: \(error)")
        }
    }

    /// Sends one request to the endpoint (no cache): budget, in-flight slot, rate limit, HTTP, usage.
    func send<Response: LLMResponseBody>(
        _ type: Response.Type, path: String, body: JSONValue, runtime: EndpointRuntime, context: CallContext, estimatedTokens: Int
    ) async throws -> Answer<Response> {
        let endpoint = runtime.endpoint
        try await checkBudget(context, endpoint: endpoint.name)
        let bytes = body.canonicalBytes
        try await runtime.slots.acquire()
        defer { runtime.slots.release() }
        runtime.limiter.setWorkers(await workers.current())
        try await runtime.limiter.acquire(tokens: estimatedTokens)
        let sentAt = try await runtime.congestion.acquire()
        let usageKey = UsageRecorder.Key(build: context.build, kind: context.kind, endpoint: endpoint.name, model: endpoint.model)
        let raw: LLMClient.RawResponse
        do {
            raw = try await runtime.client.send(path: path, body: bytes)
        } catch var error as LLMError {
            usage?.record(usageKey, UsageRecorder.Totals(errors: 1))
            switch error.code {
            case .rateLimited where error.retryAfter == nil:
                // No word on when to come back: hold the whole process off the endpoint and slow down. Under a
                // configured rate, only once 429s are throttling, not an isolated one (the task still snoozes).
                if !runtime.limiter.isLimited || runtime.limiter.refused(sentAt: sentAt, slowDown: false) {
                    error.cooldown = runtime.congestion.rateLimited(sentAt: sentAt)
                }
            case .rateLimited:
                runtime.limiter.refused(sentAt: sentAt)
            case .unavailable where error.retryAfter != nil:
                // An overloaded endpoint that says when to come back is asking for less traffic, like a 429.
                runtime.limiter.refused(sentAt: sentAt)
            case .unauthorized, .forbidden:
                error.authFailuresInARow = authFailures.withLock { counts in
                    let failures = counts[endpoint.name, default: 0] + 1
                    counts[endpoint.name] = failures
                    return failures
                }
            default:
                break
            }
            await usage?.flushIfDue()
            throw error
        }
        authFailures.withLock { $0[endpoint.name] = 0 }
        runtime.congestion.succeeded(sentAt: sentAt)
        runtime.limiter.answered()
        let response: Response
        do {
            response = try runtime.client.decode(Response.self, raw.body)
        } catch {
            usage?.record(usageKey, UsageRecorder.Totals(errors: 1))
            throw error
        }
        let counted = response.usage ?? TokenUsage()
        runtime.limiter.adjustTokens(estimated: estimatedTokens, actual: counted.totalTokens)
        usage?.record(
            usageKey,
            UsageRecorder.Totals(
                calls: 1, inputTokens: counted.promptTokens, outputTokens: counted.completionTokens,
                costUSD: endpoint.cost(inputTokens: counted.promptTokens, outputTokens: counted.completionTokens)))
        await usage?.flushIfDue()
        return Answer(response: response, body: raw.body, usage: counted, cached: false)
    }

    /// Refuses a paid call once the build has spent its budget.
    func checkBudget(_ context: CallContext, endpoint: String) async throws {
        guard let budget = context.policy.budgetUSD, let usage, context.build > 0 else { return }
        let spent: Double
        do {
            spent = try await usage.spent(build: context.build)
        } catch {
            throw LLMError(code: .database, endpoint: endpoint, message: "could not read build \(context.build)'s spending: \(error)")
        }
        if spent >= budget {
            throw LLMError(
                code: .budgetExhausted, endpoint: endpoint,
                message: "build \(context.build) has spent $\(LLMError.formatDollars(spent)) of its $\(LLMError.formatDollars(budget)) budget",
                budgetUSD: budget)
        }
    }

    /// A call whose answer needs no checking beyond decoding: cache, else send and store.
    func cachedCall<Response: LLMResponseBody>(
        _ type: Response.Type, path: String, body: JSONValue, endpoint name: String, build: Int, kind: String, sample: Int,
        estimatedTokens: Int, accept: (Response) -> Bool
    ) async throws -> Answer<Response> {
        let runtime = try runtime(name)
        let context = try await context(build: build, kind: kind, sample: sample)
        let key = CacheKey.make(identity: runtime.endpoint.cacheIdentity, path: path, body: body, sample: sample)
        func replay() async throws -> Answer<Response>? {
            guard let hit = try await cachedAnswer(Response.self, key: key, runtime: runtime, context: context, record: false), accept(hit.response)
            else { return nil }
            return hit
        }
        if let hit = try await replay() {
            recordCacheHit(runtime: runtime, context: context)
            return hit
        }
        func sendAndStore() async throws -> Answer<Response> {
            // Read again once this process holds the call: another one may have stored the answer since.
            if let hit = try await replay() {
                recordCacheHit(runtime: runtime, context: context)
                return hit
            }
            let answer = try await send(
                Response.self, path: path, body: body, runtime: runtime, context: context, estimatedTokens: estimatedTokens)
            guard accept(answer.response) else {
                throw LLMError(
                    code: .malformedResponse, endpoint: name, status: 200, message: "the answer lacks the fields this call needs",
                    rawOutput: String(decoding: answer.body.prefix(configuration.rawOutputLimit), as: UTF8.self))
            }
            await remember(answer, key: key, path: path, runtime: runtime, context: context)
            return answer
        }
        var (answer, shared) = try await sharingInFlight(key: key, runtime: runtime, context: context, replay: replay) { try await sendAndStore() }
        if shared { answer.cached = true }
        return answer
    }

    /// Runs `call` unless an identical one (same cache key) is in flight: in this process (`InFlightCalls`),
    /// whose answer is then shared, or in another worker process (`CallClaims`), whose answer this waits for
    /// and reads back from the cache with `replay` (nil: not there, or not usable). A shared answer counts as
    /// a cache hit: paid once. With the cache off for this call, every call goes out.
    func sharingInFlight<Value: Sendable>(
        key: [UInt8], runtime: EndpointRuntime, context: CallContext, replay: () async throws -> Value?,
        _ call: () async throws -> Value
    ) async throws -> (value: Value, shared: Bool) {
        guard usesCache(context) else { return (try await call(), false) }
        let outcome = try await inFlight.run(key: key) {
            try await claimingAcrossProcesses(key: key, runtime: runtime, replay: replay, call)
        }
        let shared = outcome.shared || outcome.value.shared
        if shared { recordCacheHit(runtime: runtime, context: context) }
        return (outcome.value.value, shared)
    }

    /// The call for `key` made by one process at a time: this one claims the key, or waits for the process
    /// holding it and reads its answer from the cache. When that process's call failed (nothing cached),
    /// this one claims the key and calls for itself. `call` reads the cache before paying (a chat call's first
    /// round, `cachedCall`'s `sendAndStore`): the answer may have been stored between this process's first look
    /// and its claim.
    private func claimingAcrossProcesses<Value: Sendable>(
        key: [UInt8], runtime: EndpointRuntime, replay: () async throws -> Value?, _ call: () async throws -> Value
    ) async throws -> (value: Value, shared: Bool) {
        guard let claims else { return (try await call(), false) }
        let name = runtime.endpoint.name
        while true {
            let claim: CallClaims.Claim
            do {
                claim = try await claims.claim(key)
            } catch let error as CancellationError {
                throw error
            } catch {
                throw LLMError(code: .database, endpoint: name, message: "could not claim a call in llm_calls_in_flight: \(error)")
            }
            switch claim {
            case .claimed:
                let outcome: Result<(value: Value, shared: Bool), any Error>
                do {
                    outcome = .success((try await call(), false))
                } catch {
                    outcome = .failure(error)
                }
                // Released in a task of its own, so that a cancelled caller (a shutdown, a lost lease) still
                // releases: otherwise other processes would wait for the claim to expire.
                let released = await Task { try await claims.release(key) }.result
                if case .failure(let error) = released {
                    logger.warning("could not release a call's claim in llm_calls_in_flight (it expires by itself): \(error)")
                }
                return try outcome.get()
            case .heldElsewhere:
                do {
                    try await claims.waitForRelease(key)
                } catch let error as CancellationError {
                    throw error
                } catch {
                    throw LLMError(code: .database, endpoint: name, message: "could not read llm_calls_in_flight: \(error)")
                }
                if let value = try await replay() { return (value, true) }
            }
        }
    }
}
