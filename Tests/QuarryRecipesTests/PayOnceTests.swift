import Foundation
import QuarryQueue
import QuarryRecipes
import QuarrySimulator
import QuarryTestSupport
import Testing

@Suite("Paying once under endpoint faults (real PostgreSQL, simulator on loopback)")
struct PayOnceTests {
    /// A simulator answering in `latencyMs` with these shares of 429s (at once, back in 50 ms) and 500s.
    static func faults(latencyMs: Double, rateLimited: Double, serverError: Double) -> @Sendable (inout SimulatorConfiguration) -> Void {
        { configuration in
            configuration.latency = .fixed(ms: latencyMs)
            configuration.faults = FaultRates(rateLimited: rateLimited, serverError: serverError)
            configuration.retryAfterSeconds = 0.05
            configuration.seed = 5
        }
    }

    /// The simulator counts a request body answered with a clean 200 more than once: an answer paid for
    /// twice. Tasks here fail and retry on 429s and 500s, and some handlers make several calls at once, so
    /// an answer lost when one of them fails (a sibling cancelled in flight) would be bought again.
    @Test(
        "every recipe's bundled example, under 429s and 500s, completes without paying for any answer twice",
        .timeLimit(.minutes(5)), arguments: RecipeCatalog.standard.names)
    func bundledExampleUnderFaults(recipeName: String) async throws {
        // Answers take 40 ms and 429s come at once, so calls are in flight when another one fails.
        try await RecipeHarness.with(simulator: Self.faults(latencyMs: 40, rateLimited: 0.05, serverError: 0.02)) { h in
            let recipe = try RecipeCatalog.standard.recipe(named: recipeName)
            let path = try #require(RecipeExamples.specPath(for: recipe))
            let plan = try BuildSpecParser(file: path, endpoints: h.registry).parseFile()
            let build = try #require(try await BuildSubmitter(queue: h.queue).submit(plan).buildID)
            #expect(try await h.run(until: [build]))
            #expect(try await h.queue.build(build)?.state == .completed)
            let stats = h.simulator.stats
            #expect(stats.faultsInjected.values.reduce(0, +) > 0, "faults were injected")
            #expect(stats.duplicateSuccessfulRequests == 0, "answers paid for twice, of \(stats.requestsByStatus["200", default: 0])")
        }
    }

    @Test(
        "answers cut off at max_tokens get repair rounds; a round that fails on a 429 or a 500 does not make the retry pay for the earlier rounds again",
        .timeLimit(.minutes(5)))
    func repairRoundsUnderFaults() async throws {
        try await RecipeHarness.with(simulator: Self.faults(latencyMs: 10, rateLimited: 0.1, serverError: 0.05)) { h in
            // The KnowTuning example with 40 output tokens: many extractions and corruptions are cut off and
            // repaired (some in vain), so a task's call often has two or three rounds.
            let recipe = try RecipeCatalog.standard.recipe(named: "knowtuning")
            let example = URL(fileURLWithPath: try #require(RecipeExamples.specPath(for: recipe)))
            try h.write("qa.jsonl", bytes: Array(try Data(contentsOf: example.deletingLastPathComponent().appendingPathComponent("qa.jsonl"))))
            let spec = try String(contentsOf: example, encoding: .utf8).replacingOccurrences(of: "\nparameters:\n", with: "\nparameters:\n  max_tokens: 40\n")
            let submitted = try await h.submit(spec, file: "knowtuning.build.yaml")
            let build = try #require(submitted.buildID)
            #expect(try await h.run(until: [build]))
            #expect(try await h.queue.build(build)?.state.isFinished == true)
            let stats = h.simulator.stats
            let repaired = try await h.count("SELECT count(*) FROM \(identifier: h.schema).task_attempts WHERE error_class = 'bad_output'")
            #expect(repaired > 0, "some answers stayed unusable after their repair rounds")
            #expect(stats.duplicateSuccessfulRequests == 0, "answers paid for twice, of \(stats.requestsByStatus["200", default: 0])")
        }
    }
}
