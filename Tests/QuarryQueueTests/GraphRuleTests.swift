import Foundation
import QuarryPostgres
import QuarryQueue
import QuarryTestSupport
import Testing

/// The expansion rules one by one, driven by hand: tasks completed through the queue's own calls, then
/// `expand` as the coordinator runs it, then the tasks it created read back.
@Suite("Graph rules: joins, predicates, per-build shapes")
struct GraphRuleTests {
    /// Completes every available task of `kind` with `output(task)`.
    static func complete(_ h: QueueHarness, kind: String, dead: Set<String> = [], _ output: (ClaimedTask) -> String) async throws {
        let claimed = try await h.queue.claim(worker: "w", limit: 1_000, kinds: [kind])
        _ = try await h.queue.settle(
            worker: "w",
            claimed.map {
                dead.contains($0.key)
                    ? TaskOutcome(taskID: $0.id, leaseToken: $0.leaseToken, kind: .dead(errorClass: "test", message: "dies on purpose"))
                    : TaskOutcome(taskID: $0.id, leaseToken: $0.leaseToken, kind: .completed(TaskOutput(json: output($0))))
            })
    }

    static func expandAll(_ h: QueueHarness, build: Int, graph: BuildGraph) async throws {
        while try await h.queue.expand(buildID: build, graph: graph).parentsExpanded > 0 {}
    }

    static func keys(_ h: QueueHarness, build: Int, kind: String) async throws -> [String] {
        try await h.pool.query(
            "SELECT key FROM \(identifier: h.schema).tasks WHERE build_id = \(build) AND kind = \(kind) ORDER BY key COLLATE \(identifier: h.schema).numeric_keys"
        ).map { try $0.decode(String.self, "key") }
    }

    static func payload(_ h: QueueHarness, key: String) async throws -> [String: Int] {
        let text = try await h.pool.query("SELECT payload::text AS p FROM \(identifier: h.schema).tasks WHERE key = \(key)")[0].decode(String.self, "p")
        return try JSONDecoder().decode([String: Int].self, from: Data(text.utf8))
    }

    @Test("a join fires for a parent with zero children, with an empty count, as soon as the parent is expanded")
    func zeroChildrenJoin() async throws {
        try await QueueHarness.with { h in
            let graph = BuildGraph(
                edges: [GraphEdge(from: "extract", to: "score", family: .verification, fanOut: .each(field: "facts"))],
                joins: [GraphJoin(parent: "extract", children: ["score"], to: "select", family: .generation)])
            let build = try await h.queue.createBuild(name: "zero", graph: graph)
            try await h.queue.enqueue(buildID: build, [
                NewTask(kind: "extract", family: .generation, key: "r1/extract"), NewTask(kind: "extract", family: .generation, key: "r2/extract"),
            ])
            try await Self.complete(h, kind: "extract") { $0.key == "r1/extract" ? #"{"facts": []}"# : #"{"facts": ["a", "b"]}"# }
            try await Self.expandAll(h, build: build, graph: graph)
            // r1 had no facts: its join is there already; r2's waits for its two scores.
            #expect(try await Self.keys(h, build: build, kind: "select") == ["r1/extract/select"])
            #expect(try await Self.payload(h, key: "r1/extract/select")["finished"] == 0)
            try await Self.complete(h, kind: "score") { _ in "{}" }
            try await Self.expandAll(h, build: build, graph: graph)
            #expect(try await Self.keys(h, build: build, kind: "select") == ["r1/extract/select", "r2/extract/select"])
            #expect(try await Self.payload(h, key: "r2/extract/select")["finished"] == 2)
        }
    }

    @Test("a join over two kinds waits for every child of both, and counts the ones that died")
    func multiKindJoin() async throws {
        try await QueueHarness.with { h in
            let graph = BuildGraph(
                edges: [
                    GraphEdge(from: "extract", to: "score", family: .verification, fanOut: .each(field: "facts")),
                    GraphEdge(from: "extract", to: "corrupt", family: .corruption, fanOut: .times(2)),
                ],
                joins: [GraphJoin(parent: "extract", children: ["score", "corrupt"], to: "assemble", family: .generation)])
            let build = try await h.queue.createBuild(name: "multi", graph: graph)
            try await h.queue.enqueue(buildID: build, [NewTask(kind: "extract", family: .generation, key: "r1/extract")])
            try await Self.complete(h, kind: "extract") { _ in #"{"facts": ["a", "b", "c"]}"# }
            try await Self.expandAll(h, build: build, graph: graph)
            #expect(try await Self.keys(h, build: build, kind: "corrupt") == ["r1/extract/corrupt/1", "r1/extract/corrupt/2"])
            // All scores done (one dead): the corruptions still run, so no join yet.
            try await Self.complete(h, kind: "score", dead: ["r1/extract/score/2"]) { _ in "{}" }
            try await Self.expandAll(h, build: build, graph: graph)
            #expect(try await Self.keys(h, build: build, kind: "assemble").isEmpty)
            try await Self.complete(h, kind: "corrupt") { _ in "{}" }
            try await Self.expandAll(h, build: build, graph: graph)
            #expect(try await Self.keys(h, build: build, kind: "assemble") == ["r1/extract/assemble"])
            let payload = try await Self.payload(h, key: "r1/extract/assemble")
            #expect(payload["finished"] == 5)
            #expect(payload["failed"] == 1)
        }
    }

    @Test("predicates: numeric comparisons with constants and build parameters, AND, OR, NOT, strings, booleans, existence")
    func predicates() async throws {
        try await QueueHarness.with { h in
            func edge(_ to: String, _ predicate: GraphPredicate) -> GraphEdge {
                GraphEdge(from: "judge", to: to, family: .generation, when: predicate)
            }
            let graph = BuildGraph(
                edges: [
                    edge("hard", .compare(field: "perplexity", .greater, .parameter("min_perplexity"))),
                    edge("retry", .and([.isFalse("passed"), .compare(field: "attempt", .less, .parameter("max_rounds"))])),
                    edge("either", .or([.equals("aspect", "logicality"), .compare(field: "count", .greaterOrEqual, .number(10))])),
                    edge("unflagged", .not(.isTrue("flagged"))),
                    edge("noted", .exists(field: "note")),
                    // A field name that would break out of a quoted path if it were spliced in unescaped.
                    edge("odd_name", .equals(#"a" || true || "b"#, "x")),
                ],
                parameters: #"{"min_perplexity": 20, "max_rounds": 3}"#)
            let build = try await h.queue.createBuild(name: "predicates", graph: graph)
            let outputs = [
                "r1/judge": #"{"perplexity": 25.5, "passed": false, "attempt": 1, "aspect": "logicality", "flagged": false}"#,
                "r2/judge": #"{"perplexity": 20, "passed": false, "attempt": 3, "aspect": "factuality", "count": 10, "flagged": true, "note": null}"#,
                "r10/judge": #"{"perplexity": "high", "passed": true, "count": 9.5}"#,
            ]
            try await h.queue.enqueue(buildID: build, outputs.keys.map { NewTask(kind: "judge", family: .verification, key: $0) })
            try await Self.complete(h, kind: "judge") { outputs[$0.key] ?? "{}" }
            try await Self.expandAll(h, build: build, graph: graph)
            #expect(try await Self.keys(h, build: build, kind: "hard") == ["r1/judge/hard"], "25.5 > 20; 20 is not; a string is not a number")
            #expect(try await Self.keys(h, build: build, kind: "retry") == ["r1/judge/retry"], "r2 is at max_rounds; r10 passed")
            #expect(try await Self.keys(h, build: build, kind: "either") == ["r1/judge/either", "r2/judge/either"])
            #expect(try await Self.keys(h, build: build, kind: "unflagged") == ["r1/judge/unflagged", "r10/judge/unflagged"], "a missing field is not true")
            #expect(try await Self.keys(h, build: build, kind: "noted") == ["r2/judge/noted"], "present, even as null")
            #expect(try await Self.keys(h, build: build, kind: "odd_name").isEmpty)
        }
    }

    @Test("two builds of the same rules with different counts expand to different shapes, each by its stored graph")
    func perBuildShapes() async throws {
        try await QueueHarness.with { h in
            func graph(versions: Int) -> BuildGraph {
                BuildGraph(edges: [GraphEdge(from: "entity", to: "version", family: .generation, fanOut: .times(versions))])
            }
            let three = try await h.queue.createBuild(name: "three", recipe: "r", graph: graph(versions: 3), pausedReason: "loading")
            let five = try await h.queue.createBuild(name: "five", recipe: "r", graph: graph(versions: 5), pausedReason: "loading")
            for build in [three, five] {
                try await h.queue.enqueue(buildID: build, [NewTask(kind: "entity", family: .generation, key: "r1/entity")])
                try await h.queue.resumeBuild(build)
            }
            try await Self.complete(h, kind: "entity") { _ in "{}" }
            // The coordinator reads each build's graph from its row.
            let coordinator = Coordinator(queue: h.queue)
            while try await coordinator.pass() {}
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks WHERE build_id = \(three) AND kind = 'version'") == 3)
            let keys = try await h.pool.query(
                "SELECT key FROM \(identifier: h.schema).tasks WHERE build_id = \(five) AND kind = 'version' ORDER BY key COLLATE \(identifier: h.schema).numeric_keys"
            ).map { try $0.decode(String.self, "key") }
            #expect(keys == (1...5).map { "r1/entity/version/\($0)" })
        }
    }

    @Test("keys sort numerically in exports: r2 before r10, /2 before /10")
    func numericKeyOrder() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "order")
            let keys = ["r10/a", "r2/a", "r2/a/b/10", "r2/a/b/2", "r1/a", "r2/a/b/1"]
            try await h.queue.enqueue(buildID: build, keys.map { NewTask(kind: "k", family: .generation, key: $0) })
            var streamed: [String] = []
            for try await task in h.queue.tasks(buildID: build, pageSize: 2) { streamed.append(task.key) }
            #expect(streamed == ["r1/a", "r2/a", "r2/a/b/1", "r2/a/b/2", "r2/a/b/10", "r10/a"])
        }
    }

    @Test("a build's tasks are read a page at a time as the consumer asks, of the kinds asked for")
    func tasksReadAsAsked() async throws {
        try await QueueHarness.with { h in
            let build = try await h.queue.createBuild(name: "pages")
            try await h.queue.enqueue(
                buildID: build,
                (1...6).map { NewTask(kind: "k", family: .generation, key: "r\($0)/k") } + [NewTask(kind: "other", family: .generation, key: "r3/other")])
            var iterator = h.queue.tasks(buildID: build, kinds: ["k"], pageSize: 2).makeAsyncIterator()
            var keys = [try await iterator.next()?.key]
            // Deleted after the first page was read: a later page no longer has it.
            try await h.pool.query("DELETE FROM \(identifier: h.schema).tasks WHERE build_id = \(build) AND key = 'r5/k'")
            while let task = try await iterator.next() { keys.append(task.key) }
            #expect(keys == ["r1/k", "r2/k", "r3/k", "r4/k", "r6/k"])
        }
    }

    @Test("payloads stay bounded whatever the depth: a child holds a reference to its parent, not its ancestry")
    func boundedPayloads() async throws {
        try await QueueHarness.with { h in
            let stages = ["s0", "s1", "s2", "s3", "s4", "s5"]
            let graph = BuildGraph(
                edges: zip(stages, stages.dropFirst()).map { GraphEdge(from: $0, to: $1, family: .generation) }
                    + [GraphEdge(from: "s5", to: "each", family: .verification, fanOut: .each(field: "items"))])
            let build = try await h.queue.createBuild(name: "deep", graph: graph)
            let record = String(repeating: "r", count: 4_000)
            try await h.queue.enqueue(buildID: build, [NewTask(kind: "s0", family: .generation, key: "r1/s0", payload: "{\"record\": \"\(record)\"}")])
            // Every stage's output is 8 KB: copying ancestry would make the sixth payload about 40 KB.
            let bulky = #"{"text": "\#(String(repeating: "x", count: 8_000))", "items": ["a", "b"]}"#
            for stage in stages {
                try await Self.complete(h, kind: stage) { _ in bulky }
                try await Self.expandAll(h, build: build, graph: graph)
            }
            let sizes = try await h.pool.query(
                "SELECT kind, octet_length(payload::text) AS size FROM \(identifier: h.schema).tasks WHERE build_id = \(build) ORDER BY id"
            ).map { (try $0.decode(String.self, "kind"), try $0.decode(Int.self, "size")) }
            #expect(sizes.count == 8)
            for (kind, size) in sizes where kind != "s0" {
                #expect(size <= 64, "\(kind): \(size) bytes")
            }
        }
    }

    @Test("a barrier edge fires once every task of its kind in the build has finished, for every completed one, once")
    func barrier() async throws {
        try await QueueHarness.with { h in
            let graph = BuildGraph(edges: [
                GraphEdge(from: "entity", to: "settle", family: .verification, when: .isTrue("named"), afterAll: true)
            ])
            let build = try await h.queue.createBuild(name: "barrier", graph: graph)
            try await h.queue.enqueue(buildID: build, (1...4).map { NewTask(kind: "entity", family: .generation, key: "r\($0)/entity") })
            // Three finish (one unnamed); the fourth still waits: nothing is settled yet.
            let three = try await h.queue.claim(worker: "w", limit: 3)
            _ = try await h.queue.settle(
                worker: "w", three.map { TaskOutcome(taskID: $0.id, leaseToken: $0.leaseToken, kind: .completed(TaskOutput(json: $0.key == "r2/entity" ? #"{"named": false}"# : #"{"named": true}"#))) })
            try await Self.expandAll(h, build: build, graph: graph)
            #expect(try await Self.keys(h, build: build, kind: "settle").isEmpty)
            // The last one dies: the barrier opens for the completed, named ones.
            try await Self.complete(h, kind: "entity", dead: ["r4/entity"]) { _ in "{}" }
            try await Self.expandAll(h, build: build, graph: graph)
            #expect(try await Self.keys(h, build: build, kind: "settle") == ["r1/entity/settle", "r3/entity/settle"])
            // Expanding again (a retried entity completing later) adds only what is new.
            try await h.pool.query("UPDATE \(identifier: h.schema).tasks SET expanded_at = NULL WHERE build_id = \(build)")
            try await Self.expandAll(h, build: build, graph: graph)
            #expect(try await h.count("SELECT count(*) FROM \(identifier: h.schema).tasks WHERE build_id = \(build) AND kind = 'settle'") == 2)
        }
    }
}
