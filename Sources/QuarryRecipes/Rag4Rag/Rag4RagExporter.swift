import Foundation
import QuarryQueue

/// Writes rag4rag's `qa.jsonl`, `report.json` and `provenance.jsonl` from a build's tasks.
///
/// Tasks arrive in key order, and a chain's keys share its generate task's key as prefix
/// (`r7/rag4rag.generate/grounded`, `…/rag4rag.verify`, `…/rag4rag.regenerate`, …), so one chain is
/// held at a time: memory stays constant whatever the build's size, and rows come out in key order.
struct Rag4RagExporter {
    /// One arm of one passage: its generate task and whatever followed it so far.
    struct Chain {
        var generate: TaskResultRow
        var seed: Rag4RagPayload.Seed
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
    private let decoder = JSONDecoder()
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
        var lastRecord: Int?
        var chain: Chain?

        func flush() throws {
            guard let current = chain else { return }
            chain = nil
            if current.seed.recordPosition != lastRecord {
                report.passages += 1
                lastRecord = current.seed.recordPosition
            }
            for (row, ids) in rowsAndCount(current, report: &report) {
                try qa.writeLine(row, encoder: encoder)
                try provenance.writeLine(ProvenanceRow(row: rows + 1, buildID: context.build.id, taskIDs: ids), encoder: encoder)
                rows += 1
            }
        }

        for try await task in context.queue.tasks(buildID: context.build.id, kinds: Self.kinds) {
            switch task.kind {
            case Rag4RagRecipe.Kind.generate:
                try flush()
                let seed = try decode(Rag4RagPayload.Seed.self, task.payload, task)
                chain = Chain(generate: task, seed: seed, generated: try task.output.map { try decode(Rag4RagGenerated.self, $0, task) })
                if let call = chain?.generated?.call { note(call, kind: task.kind, into: &summary) }
            default:
                guard var current = chain, task.key.hasPrefix(current.generate.key + "/") else { continue }
                switch task.kind {
                case Rag4RagRecipe.Kind.verify:
                    current.verify = task
                    current.verification = try task.output.map { try decode(Rag4RagVerification.self, $0, task) }
                    if let call = current.verification?.call { note(call, kind: task.kind, into: &summary) }
                case Rag4RagRecipe.Kind.regenerate:
                    current.regenerate = task
                    current.regeneration = try task.output.map { try decode(Rag4RagRegeneration.self, $0, task) }
                    if let call = current.regeneration?.call { note(call, kind: task.kind, into: &summary) }
                default:
                    current.reverify = task
                    current.reverification = try task.output.map { try decode(Rag4RagVerification.self, $0, task) }
                    if let call = current.reverification?.call { note(call, kind: task.kind, into: &summary) }
                }
                chain = current
            }
        }
        try flush()
        report.overall = report.arms.values.reduce(into: Rag4RagReport.Arm()) { $0.add($1) }
        try context.directory.finish(qa)
        try context.directory.finish(provenance)

        let reportFile = try context.directory.create("report.json", deterministic: true)
        try reportFile.writeDocument(report)
        try context.directory.finish(reportFile)
        summary.models = summary.models.mapValues { $0.sorted() }
        return summary
    }

    static let kinds = [Rag4RagRecipe.Kind.generate, Rag4RagRecipe.Kind.verify, Rag4RagRecipe.Kind.regenerate, Rag4RagRecipe.Kind.reverify]

    /// The rows of one chain (its arm's row, then its regeneration's), and its counts in the report.
    private func rowsAndCount(_ chain: Chain, report: inout Rag4RagReport) -> [(Rag4RagQARow, [String: Int])] {
        let arm = chain.seed.variant
        var counts = report.arms[arm] ?? Rag4RagReport.Arm()
        defer { report.arms[arm] = counts }
        guard let generated = chain.generated else {
            if Self.failed(chain.generate) { counts.failed += 1 }
            return []
        }
        counts.generated += 1
        let verdict = Self.verdict(chain.verification, task: chain.verify)
        switch verdict {
        case Rag4RagVerdict.supported:
            counts.verified += 1
            counts.supported += 1
        case Rag4RagVerdict.unsupported:
            counts.verified += 1
            counts.unsupported += 1
        case "failed": counts.failed += 1
        default: counts.pending += 1
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
        case Rag4RagVerdict.supported:
            counts.reverified += 1
            counts.repaired += 1
        case Rag4RagVerdict.unsupported:
            counts.reverified += 1
            counts.stillUnsupported += 1
        default: break
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
                    context: record.passage, question: regeneration.question, answer: regeneration.answer, arm: Rag4RagRecipe.Arm.rag,
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
    static func verdict(_ verification: Rag4RagVerification?, task: TaskResultRow?) -> String {
        if let verification { return verification.verdict }
        if let task, failed(task) { return "failed" }
        return "pending"
    }

    static func failed(_ task: TaskResultRow) -> Bool { task.state == .dead || task.state == .cancelled }

    private func note(_ call: LLMCallRecord, kind: String, into summary: inout RecipeExportSummary) {
        summary.usage[kind, default: UsageTotals()].add(call)
        if !(summary.models[call.endpoint] ?? []).contains(call.model) { summary.models[call.endpoint, default: []].append(call.model) }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ json: String, _ task: TaskResultRow) throws -> T {
        do {
            return try decoder.decode(T.self, from: Data(json.utf8))
        } catch {
            throw RecipeError(.exportFailed, "task \(task.taskID) (\(task.key)) does not decode as \(T.self): \(error)")
        }
    }
}
