import Foundation
import QuarryQueue
import QuarryRecipes
import QuarryTestSupport
import Testing

@Suite("rag4rag end to end over medquad (real PostgreSQL, simulator on loopback)", .serialized)
struct Rag4RagEndToEndTests {
    typealias Kind = Rag4RagRecipe.Kind

    @Test("the build completes; every passage has rows in both arms; counts add up", .timeLimit(.minutes(6)))
    func medquadCompletes() async throws {
        try await RecipeHarness.with(simulator: { $0.hallucinationRate = 0.3 }) { h in
            let report = try await h.submit(RecipeHarness.medquadSpec())
            #expect(report.loaded == 200)
            #expect(report.rejected == 0)
            let build = try #require(report.buildID)
            #expect(try await h.run(until: [build]))
            #expect(try await h.queue.build(build)?.state == .completed, "no task died, so the outcome is completed")

            let kinds = try await h.kinds(build)
            let tasks = try await h.tasks(build)
            #expect(tasks.allSatisfy { $0.state == .completed }, "every task completed")
            let verifications = try tasks.filter { $0.kind == Kind.verify.name }.map { try decodeJSON(Rag4RagVerification.self, $0.output ?? "") }
            let unsupported = verifications.filter { $0.verdict == Rag4RagVerdict.unsupported }.count
            #expect(kinds[Kind.generate.name] == 400)
            #expect(kinds[Kind.verify.name] == 400)
            #expect(kinds[Kind.regenerate.name, default: 0] == unsupported, "one regeneration per unsupported answer, and only those")
            #expect(kinds[Kind.reverify.name, default: 0] == unsupported)
            #expect(unsupported > 0)
            // Every result records the prompt version that produced it.
            let versions = Set(tasks.compactMap(\.promptVersion))
            #expect(versions == ["generate_grounded@v1", "generate_zero_shot@v1", "verify@v1", "regenerate@v1"])
            #expect(tasks.allSatisfy { $0.promptVersion != nil })

            let (folder, manifest) = try await h.export(build, "export")
            #expect(manifest.partial == false)
            #expect(manifest.records == ExportManifest.Records(loaded: 200, rejected: 0))
            #expect(manifest.stages[Kind.generate.name] == ["completed": 400])
            #expect(manifest.promptVersions[Rag4RagRecipe.Prompt.verify] == "verify@v1")
            #expect(manifest.models["sim"] == ["sim-small"])
            #expect(manifest.usage["total"]?.calls == manifest.usage.filter { $0.key != "total" }.values.reduce(0) { $0 + $1.calls })

            let rows = try jsonLines(folder.appendingPathComponent("qa.jsonl"), as: Rag4RagQARow.self)
            #expect(rows.count == 400 + unsupported)
            var arms: [Int: Set<Rag4RagArm>] = [:]
            for row in rows where row.arm != Rag4RagRecipe.Arm.rag { arms[row.recordLine, default: []].insert(row.arm) }
            #expect(arms.count == 200)
            #expect(arms.values.allSatisfy { $0 == [Rag4RagRecipe.Arm.grounded, Rag4RagRecipe.Arm.zeroShot] })
            #expect(rows.allSatisfy { $0.verdict == .supported || $0.verdict == .unsupported })
            #expect(rows.filter { $0.arm == Rag4RagRecipe.Arm.rag }.count == unsupported)
            #expect(rows.allSatisfy { !$0.context.isEmpty && $0.goldQuestion != nil && $0.provenance.build == "medquad" })
            #expect(rows.filter { $0.verdict == .supported }.allSatisfy { $0.spans.isEmpty })

            let summary = try decodeJSON(Rag4RagReport.self, try String(contentsOf: folder.appendingPathComponent("report.json"), encoding: .utf8))
            #expect(summary.passages == 200)
            let all = summary.overall
            #expect(all.generated == 400 && all.verified == 400 && all.pending == 0 && all.failed == 0)
            #expect(all.supported + all.unsupported == all.verified)
            #expect(all.unsupported == unsupported)
            #expect(all.regenerated == all.unsupported && all.reverified == all.regenerated)
            #expect(all.repaired + all.stillUnsupported == all.reverified)
            #expect(summary.arms.values.reduce(0) { $0 + $1.generated } == 400)
            #expect(summary.arms[Rag4RagRecipe.Arm.grounded.rawValue]?.generated == 200)
            #expect(summary.arms[Rag4RagRecipe.Arm.zeroShot.rawValue]?.generated == 200)
        }
    }

    @Test(
        "30% injected hallucinations: verification precision and recall >= 0.9 against the simulator's ground truth; report rates match",
        .timeLimit(.minutes(6)))
    func hallucinationGroundTruth() async throws {
        try await RecipeHarness.with(simulator: {
            $0.hallucinationRate = 0.3
            $0.seed = 5
        }) { h in
            let build = try #require(try await h.submit(RecipeHarness.medquadSpec(name: "medquad-truth")).buildID)
            #expect(try await h.run(until: [build]))
            let tasks = try await h.tasks(build)

            // The oracle agrees with the simulator's own list: one distinct hallucinated answer per
            // hallucinated completion it served (judge calls are never hallucinated).
            var answers: [Int: (arm: Rag4RagArm, answer: String)] = [:]
            var hallucinatedTexts: Set<String> = []
            for task in tasks where task.kind == Kind.generate.name || task.kind == Kind.regenerate.name {
                let output = try #require(task.output)
                if task.kind == Kind.generate.name {
                    let generated = try decodeJSON(Rag4RagGenerated.self, output)
                    answers[task.taskID] = (generated.arm, generated.answer)
                } else {
                    answers[task.taskID] = (.rag, try decodeJSON(Rag4RagRegeneration.self, output).answer)
                }
                if let answer = answers[task.taskID]?.answer, SimulatorGroundTruth.isHallucinated(answer) { hallucinatedTexts.insert(answer) }
            }
            #expect(hallucinatedTexts.count == h.simulator.hallucinatedCompletionIDs.count)

            // Score each verification against the ground truth of the answer it judged.
            var confusion: [Rag4RagArm: (tp: Int, fp: Int, fn: Int, tn: Int)] = [:]
            for task in tasks where task.kind == Kind.verify.name || task.kind == Kind.reverify.name {
                let parent = try #require(task.parentID)
                let judged = try #require(answers[parent])
                let flagged = try decodeJSON(Rag4RagVerification.self, try #require(task.output)).verdict == Rag4RagVerdict.unsupported
                let truth = SimulatorGroundTruth.isHallucinated(judged.answer)
                var cell = confusion[judged.arm] ?? (0, 0, 0, 0)
                switch (truth, flagged) {
                case (true, true): cell.tp += 1
                case (false, true): cell.fp += 1
                case (true, false): cell.fn += 1
                case (false, false): cell.tn += 1
                }
                confusion[judged.arm] = cell
            }
            // The grounded arm is where "unsupported by the passage" and "hallucinated" mean the same thing:
            // a clean answer there is made of the passage's own words.
            let grounded = try #require(confusion[Rag4RagRecipe.Arm.grounded])
            let precision = Double(grounded.tp) / Double(max(1, grounded.tp + grounded.fp))
            let recall = Double(grounded.tp) / Double(max(1, grounded.tp + grounded.fn))
            #expect(grounded.tp + grounded.fn >= 30, "about 30% of 200 grounded answers are hallucinated (got \(grounded.tp + grounded.fn))")
            #expect(precision >= 0.9, "precision \(precision)")
            #expect(recall >= 0.9, "recall \(recall)")
            // In every arm, an answer with invented facts is caught (zero-shot and RAG answers may also be
            // unsupported for other reasons: no passage, or a retrieved passage other than the gold one).
            for (arm, cell) in confusion {
                #expect(Double(cell.tp) / Double(max(1, cell.tp + cell.fn)) >= 0.9, "recall in \(arm): \(cell)")
            }

            let (folder, _) = try await h.export(build, "export")
            let report = try decodeJSON(Rag4RagReport.self, try String(contentsOf: folder.appendingPathComponent("report.json"), encoding: .utf8))
            let truthRate = Double(grounded.tp + grounded.fn) / 200
            let reported = try #require(report.arms[Rag4RagRecipe.Arm.grounded.rawValue]?.hallucinationRate)
            #expect(abs(reported - truthRate) <= 0.02, "grounded arm: reported \(reported), ground truth \(truthRate)")
            let zeroShot = try #require(report.arms[Rag4RagRecipe.Arm.zeroShot.rawValue])
            let zeroShotTruth = confusion[Rag4RagRecipe.Arm.zeroShot].map { Double($0.tp + $0.fn) / 200 } ?? 0
            #expect(try #require(zeroShot.hallucinationRate) >= zeroShotTruth - 0.02, "zero-shot: every hallucinated answer counts")
            let rag = try #require(confusion[.rag])
            let ragRate = Double(rag.tp + rag.fp) / Double(rag.tp + rag.fp + rag.fn + rag.tn)
            #expect(abs(try #require(report.overall.rateAfterRAG) - ragRate) < 1e-9, "after repair: the report counts what re-verification found")
        }
    }
}
