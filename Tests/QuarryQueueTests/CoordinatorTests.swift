import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Testing

@Suite("Coordinator: fan-out, joins, completion")
struct CoordinatorTests {
    /// split → one `score` per element → `keep` joined over the scores; `flag` only for odd records.
    static let graph = BuildGraph(
        edges: [
            GraphEdge(from: "split", to: "score", family: .verification, fanOut: .each(field: "parts")),
            GraphEdge(from: "split", to: "flag", family: .corruption, when: .isTrue("odd")),
        ],
        joins: [GraphJoin(parent: "split", children: ["score"], to: "keep", family: .generation)])

    /// The seed tasks a loader would enqueue: one `split` per record and variant, keyed as submit keys them.
    static func seeds(_ records: [(line: Int, n: Int)], variants: [String] = ["a", "b"]) -> [NewTask] {
        records.flatMap { record in
            variants.map { NewTask(kind: "split", family: .generation, key: "r\(record.line)/split/\($0)", payload: "{\"record\": {\"n\": \(record.n)}, \"line\": \(record.line)}", priority: 5) }
        }
    }

    static func handlers() -> HandlerRegistry {
        var registry = HandlerRegistry()
        struct Split: Decodable { var record: [String: Int]; var line: Int }
        registry.register("split", ClosureHandler { task in
            let payload = try task.decodePayload(Split.self)
            let n = payload.record["n"] ?? 0
            return TaskOutput(json: "{\"parts\": [\((0..<n).map(String.init).joined(separator: ","))], \"odd\": \(payload.line % 2 == 1)}")
        })
        registry.register("score", ClosureHandler { task in TaskOutput(json: "{\"score\": 1}") })
        registry.register("flag", ClosureHandler { _ in TaskOutput(json: "{}") })
        registry.register("keep", ClosureHandler { task in
            struct Joined: Decodable { var parent_task: Int; var finished: Int; var failed: Int }
            let payload = try task.decodePayload(Joined.self)
            return TaskOutput(json: "{\"kept\": \(payload.finished - payload.failed), \"finished\": \(payload.finished)}")
        })
        return registry
    }

    @Test("a build runs through its stored graph and completes, with the expected task counts")
    func endToEnd() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "graph", recipe: "test", graph: Self.graph, pausedReason: "loading")
            // Records n = 1…4 on lines 1…4, plus an empty one: 5 records × 2 variants.
            #expect(try await h.queue.enqueue(buildID: build, Self.seeds((1...5).map { ($0, $0 == 5 ? 0 : $0) })).count == 10)
            #expect(try await h.queue.resumeBuild(build))
            let coordinator = Coordinator(queue: h.queue)
            let worker = Worker(queue: h.queue, handlers: Self.handlers(), configuration: WorkerConfiguration(concurrency: 8, runRescuer: false))
            let completed = try await whileRunning(coordinator) {
                try await h.run(worker, timeout: .seconds(60)) { try await h.queue.build(build)?.state == .completed }
            }
            #expect(completed)
            let kinds = try await h.pool.query("SELECT kind, count(*) AS n FROM \(identifier: h.schema).tasks GROUP BY kind ORDER BY kind")
            let counts = Dictionary(uniqueKeysWithValues: try kinds.map { (try $0.decode(String.self, "kind"), try $0.decode(Int.self, "n")) })
            // split: 10; score: (1+2+3+4+0)×2 = 20; flag: odd lines 1, 3, 5 × 2 = 6; keep: every split, including
            // the two of the record with no parts (a join fires for zero children), 5 × 2 = 10.
            #expect(counts == ["split": 10, "score": 20, "flag": 6, "keep": 10])
            #expect(try await h.states(build: build) == ["completed": 46])
            let kept = try await h.pool.query(
                "SELECT t.key, r.output->>'kept' AS kept FROM \(identifier: h.schema).tasks t JOIN \(identifier: h.schema).results r ON r.task_id = t.id WHERE t.kind = 'keep' ORDER BY t.key")
            let keptByKey = Dictionary(uniqueKeysWithValues: try kept.map { (try $0.decode(String.self, "key"), try $0.decode(String.self, "kept")) })
            #expect(keptByKey["r1/split/a/keep"] == "1")
            #expect(keptByKey["r4/split/b/keep"] == "4")
            #expect(keptByKey["r5/split/a/keep"] == "0")
        }
    }

    @Test("expansion is idempotent: re-running a rolled-back or repeated pass creates no duplicates")
    func idempotentExpansion() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "idem", recipe: "test")
            #expect(try await h.queue.enqueue(buildID: build, Self.seeds((1...3).map { ($0, 2) })).count == 6)
            #expect(try await h.queue.enqueue(buildID: build, Self.seeds((1...3).map { ($0, 2) })).isEmpty)
            // Work the splits by hand, then expand twice, clearing the marks in between as a crash would.
            let claimed = try await h.queue.claim(worker: "w", limit: 10)
            _ = try await h.queue.settle(worker: "w", claimed.map { TaskOutcome(taskID: $0.id, leaseToken: $0.leaseToken, kind: .completed(TaskOutput(json: #"{"parts": [1, 2], "odd": false}"#))) })
            let first = try await h.queue.expand(buildID: build, graph: Self.graph)
            #expect(first.childrenCreated == 12)
            try await h.pool.query("UPDATE \(identifier: h.schema).tasks SET expanded_at = NULL")
            let second = try await h.queue.expand(buildID: build, graph: Self.graph)
            #expect(second.parentsExpanded == 6)
            #expect(second.childrenCreated == 0)
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks") == 18)
        }
    }

    @Test("two coordinators: one leads; when it stops the other takes over")
    func leaderFailover() async throws {
        try await QueueHarness.with { h in
            // The standby's connections carry a name of their own, so its lock attempts can be seen in
            // pg_stat_activity.
            let standbyName = "quarry-test-standby-\(h.schema)"
            try await TestDatabase.withPool(applicationName: standbyName, maxConnections: 2) { standbyPool in
                let first = Coordinator(queue: h.queue)
                let second = Coordinator(queue: TaskQueue(pool: standbyPool, configuration: h.queue.configuration))
                func leaders() async throws -> Int {
                    try await h.count(
                        """
                        SELECT count(*) FROM pg_locks l, (SELECT hashtext(\("quarry.coordinator." + h.schema))::bigint AS k) key
                        WHERE l.locktype = 'advisory' AND l.granted
                          AND l.classid = ((key.k >> 32) & 4294967295)::oid AND l.objid = (key.k & 4294967295)::oid
                        """)
                }
                try await withTaskScope { tasks in
                    let a = tasks.start { try await first.run() }
                    // The only coordinator so far takes the lock.
                    #expect(try await eventually { try await leaders() == 1 })
                    let b = tasks.start { try await second.run() }
                    // The second has tried the lock (and found it held).
                    #expect(try await eventually {
                        try await h.count(
                            "SELECT count(*) FROM pg_stat_activity WHERE application_name = \(standbyName + ":leader") AND query LIKE '%pg_try_advisory_lock%'") == 1
                    })
                    #expect(try await leaders() == 1)
                    a.cancel()
                    try await a.value
                    // A split finished by hand: only a coordinator (the standby, now) creates its score.
                    let build = try await h.queue.createBuild(name: "after-failover", recipe: "test", graph: Self.graph)
                    try await h.queue.enqueue(buildID: build, Self.seeds([(2, 1)], variants: ["a"]))
                    let claimed = try await h.queue.claim(worker: "w", limit: 1)
                    _ = try await h.queue.settle(worker: "w", claimed.map { TaskOutcome(taskID: $0.id, leaseToken: $0.leaseToken, kind: .completed(TaskOutput(json: #"{"parts": [0], "odd": false}"#))) })
                    // Whether the standby takes over, not how fast: the bound only has to outlast a loaded machine.
                    #expect(try await eventually(timeout: .seconds(60)) {
                        try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks WHERE build_id = \(build)") == 2
                    })
                    #expect(try await leaders() == 1)
                    b.cancel()
                    try await b.value
                }
            }
        }
    }
}
