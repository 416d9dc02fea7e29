import QuarryJSON
import Foundation
import Logging
import QuarryLLM
import QuarryPostgres
import QuarryQueue
import Testing

@Suite("Usage, cost and budgets")
struct BudgetTests {
    /// Runs a worker with the `llm.chat` kind until `done` says so (or 60 s pass).
    static func runWorker(
        _ harness: LLMTestHarness, service: LLMService, logger: Logger = Logger(label: "quarry.worker.test"),
        until done: @escaping @Sendable () async throws -> Bool
    ) async throws {
        var handlers = HandlerRegistry()
        LLMHandlers.register(into: &handlers, service: service)
        let worker = Worker(
            queue: harness.queue, handlers: handlers,
            configuration: WorkerConfiguration(concurrency: 4, shutdownGrace: .seconds(5), runRescuer: false), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            let deadline = ContinuousClock.now + .seconds(60)
            while try await !done(), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            worker.requestShutdown()
            try await group.waitForAll()
        }
        try await service.flushUsage()
    }

    static func chatTask(_ index: Int) -> NewTask {
        let payload = #"{"endpoint":"sim","messages":[{"role":"user","content":"Describe quarry number \#(index) in a sentence."}],"temperature":0}"#
        return NewTask(kind: "llm.chat", family: .generation, key: "q\(index)", payload: payload)
    }

    @Test("llm.chat completes tasks; usage and cost add up to the simulator's token counts")
    func usageAddsUp() async throws {
        let harness = try await LLMTestHarness.start()
        let build = try await harness.queue.createBuild(name: "usage")
        try await harness.queue.enqueue(buildID: build, (0..<12).map(Self.chatTask))
        let service = try harness.service([harness.endpoint(priceIn: 2, priceOut: 8)])
        let schema = harness.schema
        try await Self.runWorker(harness, service: service) {
            try await harness.scalar(Int.self, "SELECT count(*) FROM \(identifier: schema).results") == 12
        }
        await service.shutdown()
        let stats = harness.simulator.stats
        let row = try await harness.pool.query(
            "SELECT calls, input_tokens, output_tokens, cost_usd FROM \(identifier: schema).llm_usage_by_build WHERE build_id = \(build)")[0]
        #expect(try row.decode(Int.self, "calls") == 12)
        #expect(try row.decode(Int.self, "input_tokens") == stats.promptTokens)
        #expect(try row.decode(Int.self, "output_tokens") == stats.completionTokens)
        let expectedCost = (Double(stats.promptTokens) * 2 + Double(stats.completionTokens) * 8) / 1_000_000
        #expect(abs(try row.decode(Double.self, "cost_usd") - expectedCost) < 1e-12)
        let output = try await harness.scalar(String.self, "SELECT output::text FROM \(identifier: schema).results LIMIT 1")
        let json = try JSONValue.parse(output)
        #expect(json["content"]?.stringValue?.isEmpty == false)
        #expect(json["model"]?.stringValue == "sim-small")
        #expect(json["cached"]?.boolValue == false)
        #expect((json["usage"]?["prompt_tokens"]?.intValue ?? 0) > 0)
        await harness.stop()
    }

    @Test("a small budget pauses the build with 'budget of $X reached'")
    func budgetPauses() async throws {
        let harness = try await LLMTestHarness.start()
        // Each call costs about 40 tokens × $100/M = $0.004; the budget covers a handful.
        let build = try await harness.queue.createBuild(name: "budget", budgetUSD: 0.01)
        try await harness.queue.enqueue(buildID: build, (0..<40).map(Self.chatTask))
        let service = try harness.service(
            [harness.endpoint(priceIn: 100, priceOut: 100)], configuration: LLMServiceConfiguration(budgetRefreshInterval: .milliseconds(200)))
        let queue = harness.queue
        try await Self.runWorker(harness, service: service) {
            try await queue.build(build)?.state == .paused
        }
        await service.shutdown()
        let info = try #require(try await harness.queue.build(build))
        #expect(info.state == .paused)
        #expect(info.stateReason == "budget of $0.01 reached")
        let spent = try await harness.scalar(
            Double.self, "SELECT cost_usd FROM \(identifier: harness.schema).llm_usage_by_build WHERE build_id = \(build)")
        #expect(spent >= 0.01)
        // Overshoot is bounded by the calls already in flight when the budget ran out (worker concurrency 4).
        let stats = harness.simulator.stats
        #expect(stats.totalRequests < 12, "\(stats.totalRequests) calls for a budget of about 3")
        let completed = try await harness.scalar(Int.self, "SELECT count(*) FROM \(identifier: harness.schema).results")
        #expect(completed < 40)
        // The paused build's remaining tasks are waiting, not dead.
        let dead = try await harness.scalar(Int.self, "SELECT count(*) FROM \(identifier: harness.schema).tasks WHERE state = 'dead'")
        #expect(dead == 0)
        let projection = try await harness.pool.query(
            "SELECT remaining_tasks, projected_remaining_usd FROM \(identifier: harness.schema).llm_cost_projection WHERE build_id = \(build)")
        let remaining = try projection[0].decode(Int.self, "remaining_tasks")
        #expect(remaining == 40 - completed)
        #expect(try projection[0].decode(Double.self, "projected_remaining_usd") > 0)
        await harness.stop()
    }
}
