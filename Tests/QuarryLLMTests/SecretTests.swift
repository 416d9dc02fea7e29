import Foundation
import Logging
import QuarryLLM
import QuarryPostgres
import QuarryQueue
import Testing

@Suite("API keys stay secret")
struct SecretTests {
    static let key = "sk-test-SECRET123"

    @Test("no API key in the database, the logs or the errors")
    func keyNeverLeaks() async throws {
        let harness = try await LLMTestHarness.start { $0.requiredAPIKey = Self.key }
        let logs = CapturedLogs()
        let build = try await harness.queue.createBuild(name: "secrets", budgetUSD: 100)
        try await harness.queue.enqueue(buildID: build, (0..<6).map(BudgetTests.chatTask))
        let endpoints = [
            harness.endpoint(name: "sim", apiKeyEnv: "SIM_KEY", priceIn: 1, priceOut: 1),
            harness.endpoint(name: "wrong", apiKeyEnv: "WRONG_KEY"),
        ]
        let environment = ["SIM_KEY": Self.key, "WRONG_KEY": Self.key + "-but-revoked"]
        let service = try harness.service(endpoints, environment: environment, logger: logs.logger())
        let schema = harness.schema
        try await BudgetTests.runWorker(harness, service: service, logger: logs.logger(label: "quarry.worker")) {
            try await harness.scalar(Int.self, "SELECT count(*) FROM \(identifier: schema).results") == 6
        }

        // A rejected key, through the queue: its 401s are recorded as failed attempts, then the build pauses.
        let rejected = try await harness.queue.createBuild(name: "rejected")
        let payload = #"{"endpoint":"wrong","messages":[{"role":"user","content":"hi"}]}"#
        try await harness.queue.enqueue(buildID: rejected, (0..<3).map { NewTask(kind: "llm.chat", family: .generation, key: "w\($0)", payload: payload, maxAttempts: 1) })
        let queue = harness.queue
        try await BudgetTests.runWorker(harness, service: service, logger: logs.logger(label: "quarry.worker")) {
            try await queue.build(rejected)?.state == .paused
        }
        var errors: [String] = []
        for _ in 0..<2 {
            let error = await caught { _ = try await service.chat(chat("hi"), endpoint: "wrong", build: 0, kind: "t") }
            errors.append(String(describing: error as Any))
            if let error { errors.append(String(describing: LLMError.queueError(for: error))) }
        }
        await service.shutdown()
        #expect(try await harness.queue.build(rejected)?.stateReason?.contains("rejected the credentials") == true)

        var dump = ""
        for table in ["builds", "tasks", "results", "task_attempts", "workers", "llm_cache", "llm_usage"] {
            let rows = try await harness.pool.query("SELECT t::text AS row FROM \(identifier: schema).\(identifier: table) t")
            for row in rows { dump += try row.decode(String.self, "row") + "\n" }
        }
        #expect(dump.contains("rejected"), "the dump should hold the builds")
        #expect(try await harness.scalar(Int.self, "SELECT count(*) FROM \(identifier: schema).llm_cache") == 6)
        #expect(!dump.contains("SECRET123"))
        #expect(!logs.all.isEmpty)
        #expect(!logs.all.contains("SECRET123"))
        #expect(errors.count == 4)
        #expect(errors.allSatisfy { !$0.contains("SECRET123") })
        await harness.stop()
    }

    @Test("an endpoint message that echoes the key is redacted")
    func redactsEchoedKey() async throws {
        // The simulator's 401 message does not echo the key; OpenAI's does ("Incorrect API key provided: sk-…").
        // A key sent as the model name comes back in the 404 message, which stands in for that here.
        let harness = try await LLMTestHarness.start()
        let service = try harness.service([harness.endpoint(model: Self.key, apiKeyEnv: "K")], environment: ["K": Self.key], withQueue: false)
        let error = await caught { _ = try await service.chat(chat("hi"), endpoint: "sim", build: 0, kind: "t") }
        await service.shutdown()
        await harness.stop()
        let llmError = try #require(error as? LLMError)
        #expect(llmError.code == .notFound)
        #expect(llmError.message.contains("[REDACTED]"))
        #expect(!String(describing: llmError).contains("SECRET123"))
    }
}
