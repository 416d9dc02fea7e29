import Foundation
import QuarryLLM
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Testing

@Suite("Response cache")
struct CacheTests {
    let requests = (0..<5).map { chat("Question \($0): what is quarried at site \($0)?") }

    @Test("a second run of the same requests sends zero requests")
    func secondRunIsFree() async throws {
        try await LLMTestHarness.with { harness in
            let build = try await harness.queue.createBuild(name: "cache")
            let first = try harness.service([harness.endpoint(priceIn: 1, priceOut: 2)])
            var firstAnswers: [ChatResult] = []
            for request in requests {
                firstAnswers.append(try await first.chat(request, endpoint: "sim", build: build, kind: "gen"))
            }
            // Plus embeddings and logprob scoring, which are cached the same way.
            let vectors = try await first.embeddings(["granite", "marble"], endpoint: "sim", build: build, kind: "embed")
            let scored = try await first.completionLogprobs(prompt: "granite is an igneous rock", endpoint: "sim", build: build, kind: "score")
            await first.shutdown()
            let afterFirst = harness.simulator.stats.totalRequests
            #expect(afterFirst == 7)
            #expect(firstAnswers.allSatisfy { !$0.cached })
            #expect(vectors.vectors.count == 2 && !vectors.cached)
            #expect(scored.perplexity != nil && scored.tokenLogprobs.count == scored.tokens.count)

            // A new service (a rerun, another process) over the same database.
            let second = try harness.service([harness.endpoint(priceIn: 1, priceOut: 2)])
            var secondAnswers: [ChatResult] = []
            for request in requests {
                secondAnswers.append(try await second.chat(request, endpoint: "sim", build: build, kind: "gen"))
            }
            let vectorsAgain = try await second.embeddings(["granite", "marble"], endpoint: "sim", build: build, kind: "embed")
            let scoredAgain = try await second.completionLogprobs(prompt: "granite is an igneous rock", endpoint: "sim", build: build, kind: "score")
            await second.shutdown()
            #expect(harness.simulator.stats.totalRequests == afterFirst, "the rerun must not reach the endpoint")
            #expect(secondAnswers.allSatisfy { $0.cached })
            #expect(secondAnswers.map(\.content) == firstAnswers.map(\.content))
            #expect(vectorsAgain.cached && vectorsAgain.vectors == vectors.vectors)
            #expect(scoredAgain.cached && scoredAgain.tokenLogprobs == scored.tokenLogprobs)

            let row = try await harness.pool.query(
                "SELECT calls, cache_hits, cost_usd FROM \(identifier: harness.schema).llm_usage_by_build WHERE build_id = \(build)")[0]
            #expect(try row.decode(Int.self, "calls") == 7)
            #expect(try row.decode(Int.self, "cache_hits") == 7)
            #expect(try row.decode(Double.self, "cost_usd") > 0)
        }
    }

    @Test("different samples of one request are cached separately")
    func samples() async throws {
        try await LLMTestHarness.with { harness in
            let service = try harness.service([harness.endpoint()])
            let request = chat("Name a kind of stone.")
            _ = try await service.chat(request, endpoint: "sim", build: 0, kind: "gen", sample: 0)
            _ = try await service.chat(request, endpoint: "sim", build: 0, kind: "gen", sample: 1)
            let again = try await service.chat(request, endpoint: "sim", build: 0, kind: "gen", sample: 1)
            await service.shutdown()
            #expect(harness.simulator.stats.totalRequests == 2)
            #expect(again.cached)
        }
    }

    @Test("every round of a repaired answer is cached: asking again replays the rounds, paying for none of them")
    func repairRoundsAreCached() async throws {
        try await LLMTestHarness.with { harness in
            // Two output tokens cut every JSON answer off: the call and its two repair rounds, then dead.
            let request = chat("Rate this quarry.", maxTokens: 2, format: .jsonObject)
            func ask(_ service: LLMService) async -> LLMError? {
                await caught { _ = try await service.chat(request, endpoint: "sim", build: 0, kind: "rate") } as? LLMError
            }
            let first = try await ask(harness.service([harness.endpoint()]))
            #expect(first?.code == .invalidOutput)
            #expect(harness.simulator.stats.totalRequests == 3, "1 call + 2 repair rounds")
            // Another process asks again (a retry after a later round failed, or of the dead task): every
            // round's answer comes from the cache, and the outcome is the same.
            let again = try await ask(harness.service([harness.endpoint()]))
            #expect(again?.code == .invalidOutput && again?.message == first?.message)
            #expect(harness.simulator.stats.totalRequests == 3)
        }
    }

    @Test("a build with no_cache in its spec, or a service with the cache off, always calls the endpoint")
    func optOut() async throws {
        try await LLMTestHarness.with { harness in
            let build = try await harness.queue.createBuild(name: "fresh", spec: #"{"no_cache": true}"#)
            let service = try harness.service([harness.endpoint()])
            for _ in 0..<2 { _ = try await service.chat(chat("Same question"), endpoint: "sim", build: build, kind: "gen") }
            #expect(harness.simulator.stats.totalRequests == 2)
            let cached = try await harness.scalar(Int.self, "SELECT count(*) FROM \(identifier: harness.schema).llm_cache")
            #expect(cached == 0)
            await service.shutdown()

            let uncached = try harness.service([harness.endpoint()], configuration: LLMServiceConfiguration(cacheEnabled: false))
            let other = try await harness.queue.createBuild(name: "flag")
            for _ in 0..<2 { _ = try await uncached.chat(chat("Same question"), endpoint: "sim", build: other, kind: "gen") }
            await uncached.shutdown()
            #expect(harness.simulator.stats.totalRequests == 4)
        }
    }

    @Test("identical calls in flight in two worker processes at the same moment reach the endpoint once")
    func inFlightAcrossProcesses() async throws {
        try await LLMTestHarness.with(simulator: { $0.latency = .fixed(ms: 300) }) { harness in
            let build = try await harness.queue.createBuild(name: "across")
            // Two services over one database stand for two worker processes: each has its own memory.
            let services = try (0..<2).map { _ in try harness.service([harness.endpoint()]) }
            let same = chat("Which stone is quarried at Portland?")
            let embedded = try await withThrowingTaskGroup(of: (ChatResult, EmbeddingsResult).self) { group in
                for service in services {
                    group.addTask {
                        async let answer = service.chat(same, endpoint: "sim", build: build, kind: "gen")
                        async let vectors = service.embeddings(["limestone"], endpoint: "sim", build: build, kind: "embed")
                        return (try await answer, try await vectors)
                    }
                }
                var results: [(ChatResult, EmbeddingsResult)] = []
                for try await result in group { results.append(result) }
                return results
            }
            #expect(harness.simulator.stats.totalRequests == 2, "one chat call and one embeddings call for both processes")
            #expect(embedded.filter { !$0.0.cached }.count == 1 && embedded.filter { !$0.1.cached }.count == 1)
            #expect(Set(embedded.map(\.0.content)).count == 1)
            #expect(try await harness.scalar(Int.self, "SELECT count(*)::int8 FROM \(identifier: harness.schema).llm_calls_in_flight") == 0, "claims end with their calls")
        }
    }

    @Test("a claim whose process died is taken over when it expires, or at once when already expired; a failed call leaves no claim")
    func abandonedAndFailedClaims() async throws {
        try await LLMTestHarness.with { harness in
            let endpoint = harness.endpoint()
            let service = try harness.service([endpoint])
            func claimedBy(_ owner: String, _ request: ChatRequest, for interval: String) async throws {
                let key = CacheKey.make(identity: endpoint.cacheIdentity, path: "/chat/completions", body: request.body(model: endpoint.model), sample: 0)
                try await harness.pool.query(
                    "INSERT INTO \(identifier: harness.schema).llm_calls_in_flight (key, owner, until) VALUES (\(PostgresBytes(key)), \(owner), now() + \(interval)::interval)")
            }
            // Claims left by processes that died mid-call: one expired already, one that expires in a second.
            let expired = chat("Which stone is quarried at Purbeck?"), expiring = chat("Which stone is quarried at Caen?")
            try await claimedBy("dead-1", expired, for: "-1 second")
            try await claimedBy("dead-2", expiring, for: "1 second")
            #expect(try await service.chat(expired, endpoint: "sim", build: 0, kind: "gen").cached == false)
            let started = ContinuousClock.now
            #expect(try await service.chat(expiring, endpoint: "sim", build: 0, kind: "gen").cached == false)
            #expect(ContinuousClock.now - started >= .milliseconds(500), "the live claim was waited for")
            #expect(harness.simulator.stats.totalRequests == 2)

            // A call that fails (no such model: 404) releases its claim, so nobody waits for it.
            let failing = try harness.service([harness.endpoint(name: "missing", model: "no-such-model")])
            let error = await caught { _ = try await failing.chat(chat("Anything"), endpoint: "missing", build: 0, kind: "gen") }
            #expect((error as? LLMError)?.code == .notFound)
            #expect(try await harness.scalar(Int.self, "SELECT count(*)::int8 FROM \(identifier: harness.schema).llm_calls_in_flight") == 0)
        }
    }

    @Test("a call's claim is renewed while it runs, and ends with it; claims long past their lease are deleted")
    func claimIsRenewed() async throws {
        try await LLMTestHarness.with(simulator: { $0.latency = .fixed(ms: 1_500) }) { harness in
            let service = try harness.service([harness.endpoint()], configuration: LLMServiceConfiguration(usageFlushInterval: .milliseconds(50)))
            let writes = Task { await service.runBackgroundWrites() }
            defer { writes.cancel() }
            let call = Task { try await service.chat(chat("Which stone is quarried at Kilkenny?"), endpoint: "sim", build: 0, kind: "gen") }
            func until() async throws -> Int? {
                let rows = try await harness.pool.query(
                    "SELECT (extract(epoch FROM until) * 1000000)::int8 AS until FROM \(identifier: harness.schema).llm_calls_in_flight WHERE owner <> 'dead'")
                return try rows.firstRow?.decode(Int.self, "until")
            }
            // A claim its process left behind an hour ago, for an answer nobody asked for since.
            try await harness.pool.query(
                "INSERT INTO \(identifier: harness.schema).llm_calls_in_flight (key, owner, until) VALUES (\(PostgresBytes([UInt8](repeating: 7, count: 32))), 'dead', now() - interval '1 hour')")
            #expect(try await eventually { try await until() != nil }, "the call claimed its key")
            let first = try #require(try await until())
            #expect(try await eventually { try await (until() ?? 0) > first }, "the claim was renewed while the answer was on its way")
            #expect(try await harness.scalar(Int.self, "SELECT count(*)::int8 FROM \(identifier: harness.schema).llm_calls_in_flight WHERE owner = 'dead'") == 0,
                    "the renewal deleted the long-expired claim")
            _ = try await call.value
            #expect(try await until() == nil)
        }
    }

    @Test("identical calls in flight at the same moment reach the endpoint once; different ones are not held up")
    func inFlightCallsShareOneAnswer() async throws {
        try await LLMTestHarness.with(simulator: { $0.latency = .fixed(ms: 300) }) { harness in
            let build = try await harness.queue.createBuild(name: "in-flight")
            let service = try harness.service([harness.endpoint(priceIn: 1, priceOut: 2)])
            let same = chat("Which stone is quarried at Carrara?")
            let answers = try await withThrowingTaskGroup(of: ChatResult.self) { group in
                for _ in 0..<10 {
                    group.addTask { try await service.chat(same, endpoint: "sim", build: build, kind: "gen") }
                }
                group.addTask { try await service.chat(chat("A different question"), endpoint: "sim", build: build, kind: "gen") }
                var answers: [ChatResult] = []
                for try await answer in group { answers.append(answer) }
                return answers
            }
            let vectors = try await withThrowingTaskGroup(of: EmbeddingsResult.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await service.embeddings(["granite"], endpoint: "sim", build: build, kind: "embed") }
                }
                var results: [EmbeddingsResult] = []
                for try await result in group { results.append(result) }
                return results
            }
            await service.shutdown()
            #expect(harness.simulator.stats.totalRequests == 3, "one call for the shared chat, one for the other, one for the embeddings")
            #expect(answers.count == 11)
            #expect(answers.filter { !$0.cached }.count == 2, "only the two leaders paid")
            #expect(Set(answers.filter { $0.cached }.map(\.content)).count == 1)
            #expect(vectors.filter { !$0.cached }.count == 1)
            #expect(Set(vectors.map(\.vectors)).count == 1)
            let row = try await harness.pool.query(
                "SELECT calls, cache_hits FROM \(identifier: harness.schema).llm_usage_by_build WHERE build_id = \(build)")[0]
            #expect(try row.decode(Int.self, "calls") == 3)
            #expect(try row.decode(Int.self, "cache_hits") == 12)
        }
    }
}
