import QuarryLLM
import QuarryPostgres
import QuarryQueue
import Testing

@Suite("LLM table maintenance")
struct MaintenanceTests {
    @Test("a pruned build's usage rows go, other builds' stay; cached answers go by age only")
    func usageAndCacheAge() async throws {
        try await LLMTestHarness.with { harness in
            let kept = try await harness.queue.createBuild(name: "kept")
            let pruned = try await harness.queue.createBuild(name: "pruned")
            let service = try harness.service([harness.endpoint(priceIn: 1, priceOut: 1)])
            for build in [kept, pruned] {
                for index in 0..<3 {
                    _ = try await service.chat(chat("Build \(build), question \(index)"), endpoint: "sim", build: build, kind: "gen")
                }
            }
            try await service.flushUsage()
            await service.shutdown()
            let schema = harness.schema
            let maintenance = LLMMaintenance(pool: harness.pool, schema: schema)

            let usageRows = try await harness.scalar(Int.self, "SELECT count(*) FROM \(identifier: schema).llm_usage WHERE build_id = \(pruned)")
            #expect(usageRows > 0)
            _ = try await harness.queue.prune(buildID: pruned)
            #expect(try await maintenance.deleteUsage(buildID: pruned, batch: 1) == usageRows)
            #expect(try await harness.scalar(Int.self, "SELECT count(*) FROM \(identifier: schema).llm_usage WHERE build_id = \(pruned)") == 0)
            #expect(try await harness.scalar(Int.self, "SELECT count(*) FROM \(identifier: schema).llm_usage WHERE build_id = \(kept)") > 0)

            // Age two of the six cached answers by a day; a 12-hour cutoff takes exactly those.
            #expect(try await harness.scalar(Int.self, "SELECT count(*) FROM \(identifier: schema).llm_cache") == 6)
            try await harness.pool.query(
                """
                UPDATE \(identifier: schema).llm_cache SET created_at = now() - interval '1 day'
                WHERE key IN (SELECT key FROM \(identifier: schema).llm_cache ORDER BY key LIMIT 2)
                """)
            #expect(try await maintenance.pruneCache(olderThan: .seconds(12 * 3_600), batch: 1) == 2)
            #expect(try await harness.scalar(Int.self, "SELECT count(*) FROM \(identifier: schema).llm_cache") == 4)
            #expect(try await maintenance.pruneCache(olderThan: .seconds(12 * 3_600)) == 0)
        }
    }
}
