import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Testing

@Suite("Coordinator: seeding, fan-out, fan-in, completion")
struct CoordinatorTests {
    /// split → one `score` per element → `keep` fan-in over the scores; `flag` only for odd records.
    static let graph = BuildGraph(
        seeds: [SeedRule(kind: "split", family: .generation, variants: ["a", "b"])],
        edges: [
            ExpansionRule(from: "split", to: "score", family: .verification, fanOut: .eachElement(of: "parts")),
            ExpansionRule(from: "split", to: "flag", family: .corruption, when: .isTrue(field: "odd")),
        ],
        fanIns: [FanInRule(parentKind: "split", childKind: "score", to: "keep", family: .generation)])

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
            struct FanIn: Decodable { var outputs: [[String: Int]]; var finished: Int }
            let payload = try task.decodePayload(FanIn.self)
            return TaskOutput(json: "{\"kept\": \(payload.outputs.count), \"finished\": \(payload.finished)}")
        })
        return registry
    }

    @Test("a build runs through its graph and completes, with the expected task counts")
    func endToEnd() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "graph", recipe: "test")
            // Records n = 1…4 on lines 1…4, plus an empty one: 5 records × 2 variants.
            let records = (1...5).map { BuildRecord(line: $0, json: "{\"n\": \($0 == 5 ? 0 : $0)}", text: "passage \($0)") }
            #expect(try await h.queue.loadRecords(buildID: build, records) == 5)
            let coordinator = Coordinator(queue: h.queue, graphs: ["test": Self.graph])
            let worker = Worker(queue: h.queue, handlers: Self.handlers(), configuration: WorkerConfiguration(concurrency: 8, runRescuer: false))
            let completed = try await whileRunning(coordinator) {
                try await h.run(worker, timeout: .seconds(60)) { try await h.queue.build(build)?.state == .completed }
            }
            #expect(completed)
            let kinds = try await h.pool.query("SELECT kind, count(*) AS n FROM \(identifier: h.schema).tasks GROUP BY kind ORDER BY kind")
            let counts = Dictionary(uniqueKeysWithValues: try kinds.map { (try $0.decode(String.self, "kind"), try $0.decode(Int.self, "n")) })
            // split: 10; score: (1+2+3+4+0)×2 = 20; flag: odd lines 1, 3, 5 × 2 = 6; keep: records with parts, 4 × 2 = 8.
            #expect(counts == ["split": 10, "score": 20, "flag": 6, "keep": 8])
            #expect(try await h.states(build: build) == ["completed": 44])
            let kept = try await h.pool.query(
                "SELECT t.key, r.output->>'kept' AS kept FROM \(identifier: h.schema).tasks t JOIN \(identifier: h.schema).results r ON r.task_id = t.id WHERE t.kind = 'keep' ORDER BY t.key")
            #expect(try kept.map { "\(try $0.decode(String.self, "key"))=\(try $0.decode(String.self, "kept"))" }.prefix(2) == ["r1/split/a/keep=1", "r1/split/b/keep=1"])
        }
    }

    @Test("expansion is idempotent: re-running a rolled-back or repeated pass creates no duplicates")
    func idempotentExpansion() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "idem", recipe: "test")
            try await h.queue.loadRecords(buildID: build, (1...3).map { BuildRecord(line: $0, json: "{\"n\": 2}", text: nil) })
            #expect(try await h.queue.seed(buildID: build, graph: Self.graph) == 6)
            #expect(try await h.queue.seed(buildID: build, graph: Self.graph) == 0)
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
                let first = Coordinator(queue: h.queue, graphs: ["test": Self.graph])
                let second = Coordinator(queue: TaskQueue(pool: standbyPool, configuration: h.queue.configuration), graphs: ["test": Self.graph])
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
                    // Created paused and resumed once loaded, as `quarry submit` does: a coordinator that saw it
                    // between the two steps would otherwise seed nothing and end it as failed.
                    let build = try await h.queue.createBuild(name: "after-failover", recipe: "test", pausedReason: "loading")
                    try await h.queue.loadRecords(buildID: build, [BuildRecord(line: 1, json: #"{"n": 1}"#, text: nil)])
                    #expect(try await h.queue.resumeBuild(build))
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

    @Test("full-text retrieval over a build's records ranks the matching passage first")
    func retrieval() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "search")
            try await h.queue.loadRecords(buildID: build, [
                BuildRecord(line: 1, json: "{}", text: "Granite is an igneous rock rich in quartz and feldspar."),
                BuildRecord(line: 2, json: "{}", text: "Limestone forms from the shells of marine organisms."),
                BuildRecord(line: 3, json: "{}", text: "Basalt is a dark volcanic rock."),
            ])
            let hits = try await h.queue.searchRecords(buildID: build, query: "Which rock contains quartz?", limit: 2)
            #expect(hits.first?.line == 1)
            #expect(try await h.queue.searchRecords(buildID: build, query: "the of and", limit: 2).isEmpty)
        }
    }
}
