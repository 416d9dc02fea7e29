import Foundation
import QuarryQueue

/// Writes rag4rag's `qa.jsonl`, `report.json` and `provenance.jsonl` from a build's tasks, one record at
/// a time (`ExportContext.forEachRecord`): one record's rows in memory at a time, and rows come
/// out in record order, each arm's row followed by its regeneration's.
struct Rag4RagExporter {
    typealias Kind = Rag4RagRecipe.Kind

    /// One arm of one passage: its generate task and whatever followed it so far.
    struct Chain {
        var generate: TaskResultRow
        var seed: Seed<Rag4RagRecord>
        var arm: Rag4RagArm
        var generated: Rag4RagGenerated?
        var verify: TaskResultRow?
        var verification: Rag4RagVerification?
        var regenerate: TaskResultRow?
        var regeneration: Rag4RagRegeneration?
        var reverify: TaskResultRow?
        var reverification: Rag4RagVerification?
    }

    /// A line of `provenance.jsonl`: the numeric ids of the same line of `qa.jsonl`.
    struct ProvenanceRow: Encodable {
        var row: Int
        var buildID: Int
        var taskIDs: [String: Int]

        enum CodingKeys: String, CodingKey {
            case row
            case buildID = "build_id"
            case taskIDs = "task_ids"
        }
    }

    let context: ExportContext
    private let encoder = ExportFileWriter.encoder()

    init(context: ExportContext) {
        self.context = context
    }

    func run() async throws -> RecipeExportSummary {
        let qa = try context.directory.create("qa.jsonl", deterministic: true)
        let provenance = try context.directory.create("provenance.jsonl", deterministic: false)
        var report = Rag4RagReport(build: context.spec.name)
        var summary = RecipeExportSummary()
        var rows = 0

        try await context.forEachRecord(kinds: [Kind.generate.name, Kind.verify.name, Kind.regenerate.name, Kind.reverify.name]) { record in
            let generates = record.all(Kind.generate)
            if !generates.isEmpty { report.passages += 1 }
            for generate in generates {
                let seed = try generate.payload(as: Kind.generate)
                guard let arm = Rag4RagArm(rawValue: seed.variant) else {
                    throw RecipeError(.exportFailed, "task \(generate.taskID) (\(generate.key)) has an unknown rag4rag arm '\(seed.variant)'")
                }
                var chain = Chain(generate: generate, seed: seed, arm: arm, generated: try generate.output(as: Kind.generate))
                chain.verify = record.descendants(of: generate, Kind.verify).first
                chain.verification = try chain.verify?.output(as: Kind.verify)
                chain.regenerate = record.descendants(of: generate, Kind.regenerate).first
                chain.regeneration = try chain.regenerate?.output(as: Kind.regenerate)
                chain.reverify = record.descendants(of: generate, Kind.reverify).first
                chain.reverification = try chain.reverify?.output(as: Kind.reverify)
                for (kind, call) in [
                    (Kind.generate.name, chain.generated?.call), (Kind.verify.name, chain.verification?.call),
                    (Kind.regenerate.name, chain.regeneration?.call), (Kind.reverify.name, chain.reverification?.call),
                ] {
                    if let call { summary.note(call, kind: kind) }
                }
                for (row, ids) in rowsAndCount(chain, report: &report) {
                    try qa.writeLine(row, encoder: encoder)
                    try provenance.writeLine(ProvenanceRow(row: rows + 1, buildID: context.build.id, taskIDs: ids), encoder: encoder)
                    rows += 1
                }
            }
        }
        report.overall = report.arms.values.reduce(into: Rag4RagReport.Arm()) { $0.add($1) }
        try context.directory.finish(qa)
        try context.directory.finish(provenance)

        let reportFile = try context.directory.create("report.json", deterministic: true)
        try reportFile.writeDocument(report)
        try context.directory.finish(reportFile)
        summary.models = summary.models.mapValues { $0.sorted() }
        return summary
    }

    /// The rows of one chain (its arm's row, then its regeneration's), and its counts in the report.
    private func rowsAndCount(_ chain: Chain, report: inout Rag4RagReport) -> [(Rag4RagQARow, [String: Int])] {
        let arm = chain.arm
        var counts = report.arms[arm.rawValue] ?? Rag4RagReport.Arm()
        defer { report.arms[arm.rawValue] = counts }
        guard let generated = chain.generated else {
            if chain.generate.failed { counts.failed += 1 }
            return []
        }
        counts.generated += 1
        let verdict = Self.verdict(chain.verification, task: chain.verify)
        switch verdict {
        case .supported:
            counts.verified += 1
            counts.supported += 1
        case .unsupported:
            counts.verified += 1
            counts.unsupported += 1
        case .failed: counts.failed += 1
        case .pending: counts.pending += 1
        }
        var tasks = ["generate": chain.generate.key]
        var ids = ["generate": chain.generate.taskID]
        var versions = ["generate": chain.generate.promptVersion ?? ""]
        var models = ["generator": generated.call.model]
        if let verify = chain.verify {
            tasks["verify"] = verify.key
            ids["verify"] = verify.taskID
            versions["verify"] = verify.promptVersion ?? ""
            if let model = chain.verification?.call?.model { models["judge"] = model }
        }
        let record = chain.seed.record
        var rows: [(Rag4RagQARow, [String: Int])] = [
            (
                Rag4RagQARow(
                    context: record.passage, question: generated.question, answer: generated.answer, arm: arm, verdict: verdict,
                    spans: chain.verification?.spans ?? [], confidence: chain.verification?.confidence, repairedArm: nil, retrievedLines: nil,
                    goldRetrieved: nil, exactSpan: nil, goldQuestion: record.question, recordLine: chain.seed.line, recordID: record.id,
                    provenance: provenance(tasks: tasks, models: models, versions: versions)), ids
            )
        ]
        guard let regenerate = chain.regenerate, let regeneration = chain.regeneration else { return rows }
        counts.regenerated += 1
        if regeneration.goldRetrieved { counts.goldRetrieved += 1 }
        let ragVerdict = Self.verdict(chain.reverification, task: chain.reverify)
        switch ragVerdict {
        case .supported:
            counts.reverified += 1
            counts.repaired += 1
        case .unsupported:
            counts.reverified += 1
            counts.stillUnsupported += 1
        case .pending, .failed: break
        }
        tasks["regenerate"] = regenerate.key
        ids["regenerate"] = regenerate.taskID
        versions["regenerate"] = regenerate.promptVersion ?? ""
        var ragModels = ["judge": models["judge"] ?? ""]
        if let model = regeneration.call?.model { ragModels["generator"] = model }
        if let reverify = chain.reverify {
            tasks["reverify"] = reverify.key
            ids["reverify"] = reverify.taskID
            versions["reverify"] = reverify.promptVersion ?? ""
            if let model = chain.reverification?.call?.model { ragModels["judge"] = model }
        }
        rows.append(
            (
                Rag4RagQARow(
                    context: record.passage, question: regeneration.question, answer: regeneration.answer, arm: .rag,
                    verdict: ragVerdict, spans: chain.reverification?.spans ?? [], confidence: chain.reverification?.confidence,
                    repairedArm: arm, retrievedLines: regeneration.retrieved.map(\.line), goldRetrieved: regeneration.goldRetrieved,
                    exactSpan: regeneration.exactSpan, goldQuestion: record.question, recordLine: chain.seed.line, recordID: record.id,
                    provenance: provenance(tasks: tasks, models: ragModels.filter { !$0.value.isEmpty }, versions: versions)), ids
            ))
        return rows
    }

    private func provenance(tasks: [String: String], models: [String: String], versions: [String: String]) -> Rag4RagQARow.Provenance {
        Rag4RagQARow.Provenance(
            build: context.spec.name, tasks: tasks, endpoints: context.spec.endpoints, models: models, promptVersions: versions)
    }

    /// `supported`/`unsupported` from a finished verification, else `failed` or `pending`.
    static func verdict(_ verification: Rag4RagVerification?, task: TaskResultRow?) -> Rag4RagQARow.Verdict {
        if let verification { return Rag4RagQARow.Verdict(verification.verdict) }
        if let task, task.failed { return .failed }
        return .pending
    }
}
