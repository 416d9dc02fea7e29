import Foundation
import QuarryQueue

/// Writes `personalized_qa`'s files: `answers.jsonl` (every answer with its judgement), per arm
/// `<variant>/<generator>/pairs.jsonl` and `triplets.jsonl`, and `hallucination_report.json`.
///
/// Records stream one at a time (`ExportContext.forEachRecord`); the collector keeps the kept answers,
/// because a triplet's negative may come from any question of the community, before or after.
struct PersonalizedQAExporter {
    typealias Kind = PersonalizedQARecipe.Kind

    /// A line of `provenance.jsonl`: the task ids behind the same line of `answers.jsonl` (run-specific,
    /// so kept out of the deterministic files).
    struct ProvenanceRow: Encodable {
        var row: Int
        var buildID: Int
        var questionID: String
        var arm: String
        var taskIDs: [String: Int]

        enum CodingKeys: String, CodingKey {
            case row, arm
            case buildID = "build_id"
            case questionID = "question_id"
            case taskIDs = "task_ids"
        }
    }

    let context: ExportContext

    func run() async throws -> RecipeExportSummary {
        let parameters = try PersonalizedQARecipe.Parameters(context.spec.parameters)
        let endpoints = Dictionary(
            parameters.generators.map { ($0, PersonalizedQARecipe.endpoint(forGenerator: $0, spec: context.spec)) }, uniquingKeysWith: { first, _ in first })
        var collector = PersonalizedQACollector(build: context.spec.name, parameters: parameters, seed: context.spec.seed ?? 0, endpoints: endpoints)
        var summary = RecipeExportSummary()
        let encoder = ExportFileWriter.encoder()
        let answers = try context.directory.create("answers.jsonl", deterministic: true)
        let provenance = try context.directory.create("provenance.jsonl", deterministic: false)
        var written = 0

        try await context.forEachRecord(kinds: [Kind.answer.name, Kind.judge.name]) { record in
            var seed: Seed<PersonalizedQARecord>?
            var outcomes: [PersonalizedQAOutcome] = []
            var taskIDs: [PersonalizedQAArm: [String: Int]] = [:]
            for row in record.all(Kind.answer) {
                let payload = try row.payload(as: Kind.answer)
                seed = seed ?? payload
                // A variant the build's parameters did not decode into: its tasks died saying why (see the manifest).
                guard let arm = PersonalizedQAArm(key: payload.variant) else { continue }
                let answer = try row.output(as: Kind.answer)
                let judge = record.descendants(of: row, Kind.judge).first
                let judgement = try judge?.output(as: Kind.judge)
                taskIDs[arm] = ["answer": row.taskID]
                taskIDs[arm]?["judge"] = judge?.taskID
                if let call = answer?.call { summary.note(call, kind: Kind.answer.name) }
                if let call = judgement?.call { summary.note(call, kind: Kind.judge.name) }
                var versions: [String: String] = [:]
                versions["answer"] = row.promptVersion
                versions["judge"] = judge?.promptVersion
                outcomes.append(
                    PersonalizedQAOutcome(
                        arm: arm, answer: answer, answerFailed: row.failed, judgement: judgement, judgeFailed: judge?.failed ?? false,
                        promptVersions: versions))
            }
            guard let seed else { return }
            for line in collector.add(position: seed.position, line: seed.line, record: seed.record, outcomes: outcomes) {
                try answers.writeLine(line, encoder: encoder)
                written += 1
                let arm = PersonalizedQAArm(variant: line.variant, generator: line.generator)
                try provenance.writeLine(
                    ProvenanceRow(row: written, buildID: context.build.id, questionID: line.questionID, arm: arm.key, taskIDs: taskIDs[arm] ?? [:]),
                    encoder: encoder)
            }
        }
        try context.directory.finish(answers)
        try context.directory.finish(provenance)

        var training: [PersonalizedQAArm: PersonalizedQAReport.Training] = [:]
        for arm in collector.arms {
            let rows = collector.training(for: arm)
            let folder = "\(arm.variant.rawValue)/\(arm.generator)"
            do {
                try FileManager.default.createDirectory(
                    at: context.directory.url.appendingPathComponent(folder), withIntermediateDirectories: true)
            } catch {
                throw RecipeError(.exportFailed, "cannot create the folder: \(error)", file: context.directory.url.appendingPathComponent(folder).path)
            }
            for (name, lines) in [("pairs.jsonl", rows.pairs), ("triplets.jsonl", rows.triplets)] {
                let file = try context.directory.create("\(folder)/\(name)", deterministic: true)
                for line in lines { try file.writeLine(json: try line.jsonLine()) }
                try context.directory.finish(file)
            }
            training[arm] = rows.counts
        }

        let report = try context.directory.create("hallucination_report.json", deterministic: true)
        try report.writeDocument(collector.finalReport(training: training))
        try context.directory.finish(report)
        summary.models = summary.models.mapValues { $0.sorted() }
        return summary
    }
}
