import Foundation
import QuarryLLM
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Testing

/// Real `quarry worker` processes logged in as a member of `quarry_worker`, as operators deploy them.
@Suite("Workers under the quarry_worker role", .serialized)
struct WorkerRoleTests {
    /// Starts `quarry worker` as `login` with an endpoints file naming the harness's simulator.
    static func worker(_ harness: LLMTestHarness, login: TestLogin, environment: [String: String], removing: [String] = []) throws -> ChildProcess {
        let endpoints = NSTemporaryDirectory() + "quarry-role-endpoints-\(UUID().uuidString).yaml"
        try """
        endpoints:
          - name: sim
            base_url: \(harness.baseURL)
            model: sim-small
            api_key_env: QUARRY_ROLE_TEST_KEY
            price_per_million_input: 100
            price_per_million_output: 100
        """.write(toFile: endpoints, atomically: true, encoding: .utf8)
        return try ChildProcess(
            TestDatabase.quarryExecutable,
            ["worker", "--database-url", login.url, "--schema", harness.schema, "--concurrency", "4", "--endpoints", endpoints,
             "--kinds", "llm.chat", "--lease-seconds", "5", "--heartbeat-seconds", "0.5", "--shutdown-grace", "5"],
            environment: environment, removing: removing)
    }

    /// Runs a worker against a build of 40 chat tasks until the build is paused; returns the worker's
    /// output, the build's state reason and the requests the endpoint saw.
    static func runUntilPaused(
        _ harness: LLMTestHarness, build: Int, environment: [String: String], removing: [String] = []
    ) async throws -> (paused: Bool, reason: String?, output: String) {
        try await harness.queue.enqueue(buildID: build, (0..<40).map(BudgetTests.chatTask))
        let login = try await TestLogin.create(memberOf: "quarry_worker")
        let worker = try Self.worker(harness, login: login, environment: environment, removing: removing)
        let queue = harness.queue
        let paused = try await eventually(timeout: .seconds(20)) { try await queue.build(build)?.state == .paused }
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
        return (paused, try await queue.build(build)?.stateReason, worker.output)
    }

    /// Lines of a worker's log that report a database refusal or a failed statement.
    static func databaseErrors(_ output: String) -> [Substring] {
        output.split(separator: "\n").filter {
            $0.contains("permission denied") || $0.contains("could not pause") || $0.contains("42501")
        }
    }

    @Test("a worker claims its calls in flight, and on SIGTERM keeps renewing the claims until its tasks have drained", .timeLimit(.minutes(2)))
    func claimsRenewedWhileDraining() async throws {
        // Answers take 4 s, so the calls are still on their way when the worker is told to stop.
        try await LLMTestHarness.with(simulator: { $0.latency = .fixed(ms: 4_000) }) { harness in
            let build = try await harness.queue.createBuild(name: "draining")
            try await harness.queue.enqueue(buildID: build, (0..<2).map(BudgetTests.chatTask))
            let login = try await TestLogin.create(memberOf: "quarry_worker")
            let worker = try Self.worker(harness, login: login, environment: ["QUARRY_ROLE_TEST_KEY": "any"])
            func latestUntil() async throws -> Int? {
                try await harness.pool.query(
                    "SELECT (extract(epoch FROM max(until)) * 1000000)::int8 AS until FROM \(identifier: harness.schema).llm_calls_in_flight"
                )[0].decode(Int?.self, "until")
            }
            #expect(try await eventually(timeout: .seconds(20)) { try await latestUntil() != nil }, "the worker role claims calls: \(worker.output.suffix(2_000))")
            let beforeStop = try #require(try await latestUntil())
            worker.signal(SIGTERM)
            #expect(try await eventually(timeout: .seconds(10)) { try await (latestUntil() ?? 0) > beforeStop }, "renewed after SIGTERM")
            #expect(await worker.waitForExit(timeout: .seconds(30)) == 0, "\(worker.output.suffix(2_000))")
            let states = try await harness.pool.query(
                "SELECT count(*) FILTER (WHERE state = 'completed') AS completed FROM \(identifier: harness.schema).tasks WHERE build_id = \(build)")
            #expect(try states[0].decode(Int.self, "completed") == 2, "both calls finished during the drain")
            #expect(try await latestUntil() == nil, "every claim ended with its call")
            #expect(Self.databaseErrors(worker.output).isEmpty, "\(Self.databaseErrors(worker.output).prefix(5))")
        }
    }

    @Test("401s from the endpoint pause the build through the worker role: a handful of requests, no denied writes", .timeLimit(.minutes(2)))
    func credentialsPause() async throws {
        try await LLMTestHarness.with(simulator: { $0.requiredAPIKey = "the-right-key" }) { harness in
            let build = try await harness.queue.createBuild(name: "bad-key")
            let run = try await Self.runUntilPaused(harness, build: build, environment: ["QUARRY_ROLE_TEST_KEY": "a-wrong-key"])
            #expect(run.paused, "worker said: \(run.output.suffix(3000))")
            #expect(run.reason?.contains("rejected the credentials") == true, "reason: \(run.reason ?? "nil")")
            // Three 401s in a row pause the build; with 4 task slots a few more may be in flight.
            let requests = harness.simulator.stats.totalRequests
            #expect(requests >= 3 && requests < 12, "endpoint saw \(requests) requests")
            #expect(Self.databaseErrors(run.output).isEmpty, "\(Self.databaseErrors(run.output).prefix(5))")
            // Nothing was consumed by the pause: the tasks wait, claimable after a resume.
            let states = try await harness.pool.query(
                "SELECT count(*) FILTER (WHERE state = 'available') AS available, count(*) AS total FROM \(identifier: harness.schema).tasks")
            #expect(try states[0].decode(Int.self, "available") == 40)
        }
    }

    @Test("an unset api_key_env pauses the build at once, without calling the endpoint", .timeLimit(.minutes(2)))
    func missingKeyPause() async throws {
        try await LLMTestHarness.with(simulator: { $0.requiredAPIKey = "the-right-key" }) { harness in
            let build = try await harness.queue.createBuild(name: "no-key")
            let run = try await Self.runUntilPaused(harness, build: build, environment: [:], removing: ["QUARRY_ROLE_TEST_KEY"])
            #expect(run.paused, "worker said: \(run.output.suffix(3000))")
            #expect(run.reason?.contains("QUARRY_ROLE_TEST_KEY") == true, "reason: \(run.reason ?? "nil")")
            #expect(harness.simulator.stats.totalRequests == 0)
            #expect(Self.databaseErrors(run.output).isEmpty, "\(Self.databaseErrors(run.output).prefix(5))")
        }
    }

    @Test("a spent budget pauses the build through the worker role, without calling the endpoint", .timeLimit(.minutes(2)))
    func budgetPause() async throws {
        try await LLMTestHarness.with { harness in
            let build = try await harness.queue.createBuild(name: "spent", budgetUSD: 1)
            try await harness.pool.query(
                """
                INSERT INTO \(identifier: harness.schema).llm_usage (build_id, kind, endpoint, model, calls, cost_usd)
                VALUES (\(build), 'llm.chat', 'sim', 'sim-small', 10, 1.5)
                """)
            let run = try await Self.runUntilPaused(harness, build: build, environment: ["QUARRY_ROLE_TEST_KEY": "any"])
            #expect(run.paused, "worker said: \(run.output.suffix(3000))")
            #expect(run.reason == "budget of $1.00 reached", "reason: \(run.reason ?? "nil")")
            #expect(harness.simulator.stats.totalRequests == 0)
            #expect(Self.databaseErrors(run.output).isEmpty, "\(Self.databaseErrors(run.output).prefix(5))")
        }
    }
}

extension WorkerRoleTests {
    @Test("when the pause itself is refused, the worker logs it once and stops claiming the build", .timeLimit(.minutes(2)))
    func refusedPauseStopsClaims() async throws {
        try await LLMTestHarness.with { harness in
            try await harness.pool.query("REVOKE EXECUTE ON FUNCTION \(identifier: harness.schema).pause_build(bigint, text) FROM quarry_worker")
            let build = try await harness.queue.createBuild(name: "unpausable")
            try await harness.queue.enqueue(buildID: build, (0..<40).map(BudgetTests.chatTask))
            let login = try await TestLogin.create(memberOf: "quarry_worker")
            let worker = try Self.worker(harness, login: login, environment: [:], removing: ["QUARRY_ROLE_TEST_KEY"])
            let logged = await eventually(timeout: .seconds(20)) { worker.output.contains("could not pause build \(build)") }
            #expect(logged, "worker said: \(worker.output.suffix(3000))")
            // Watch the claims for a while: a worker re-claiming the build would push the fencing tokens up by
            // thousands in two seconds.
            let claims: PostgresQuery = "SELECT coalesce(sum(lease_token), 0)::int8 FROM \(identifier: harness.schema).tasks"
            let hotLoop = try await eventually(timeout: .seconds(2)) { try await harness.scalar(Int.self, claims) > 100 }
            let tokens = try await harness.scalar(Int.self, claims)
            #expect(!hotLoop, "lease tokens summed to \(tokens)")
            worker.signal(SIGTERM)
            #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
            let refusals = worker.output.split(separator: "\n").filter { $0.contains("could not pause") }
            #expect(refusals.count == 1, "\(refusals.prefix(5))")
            #expect(harness.simulator.stats.totalRequests == 0)
        }
    }
}

@Suite("A worker whose endpoints file lacks a build's endpoint")
struct MissingEndpointTests {
    @Test("its tasks are released (never dead), the worker backs off the build, and status lists the unserved endpoint", .timeLimit(.minutes(2)))
    func missingEndpointReleases() async throws {
        try await LLMTestHarness.with { harness in
            let build = try await harness.queue.createBuild(name: "elsewhere", spec: #"{"endpoints": {"generator": "gpt"}}"#)
            let payload = #"{"endpoint":"gpt","messages":[{"role":"user","content":"hello"}]}"#
            try await harness.queue.enqueue(buildID: build, (0..<10).map { NewTask(kind: "llm.chat", family: .generation, key: "k\($0)", payload: payload) })
            let service = try harness.service([harness.endpoint()])
            var handlers = HandlerRegistry()
            LLMHandlers.register(into: &handlers, service: service)
            let logs = CapturedLogs()
            let worker = Worker(
                queue: harness.queue, handlers: handlers,
                configuration: WorkerConfiguration(concurrency: 4, shutdownGrace: .seconds(5), runRescuer: false, endpoints: ["sim"]),
                logger: logs.logger(label: "quarry.worker.test"))
            let running = Task { try await worker.run() }
            let warned = await eventually(timeout: .seconds(20)) { logs.all.contains("leaving its tasks to other workers") }
            let schema = harness.schema
            let unserved = try await harness.pool.query(
                "SELECT missing, name FROM \(identifier: schema).unserved_work WHERE build_id = \(build)")
            let claims: PostgresQuery = "SELECT coalesce(sum(lease_token), 0)::int8 FROM \(identifier: schema).tasks"
            let hotLoop = try await eventually(timeout: .seconds(2)) { try await harness.scalar(Int.self, claims) > 40 }
            worker.requestShutdown()
            try await running.value
            await service.shutdown()
            #expect(warned, "\(logs.all.suffix(2000))")
            #expect(!hotLoop)
            #expect(try await harness.scalar(Int.self, "SELECT count(*) FROM \(identifier: schema).tasks WHERE state = 'available' AND attempt = 0") == 10)
            #expect(try unserved.map { "\(try $0.decode(String.self, "missing")):\(try $0.decode(String.self, "name"))" } == ["endpoint:gpt"])
            #expect(logs.all.components(separatedBy: "leaving its tasks to other workers").count == 2, "warned more than once")
        }
    }
}
