import Foundation
import QuarryQueue

/// Writes KnowTuning's `sft.jsonl`, `dpo.jsonl`, `report.json` and `provenance.jsonl` (and, with
/// `llama_factory`, `llama_factory/ranking.jsonl` and `llama_factory/dataset_info.json`), one record at
/// a time (`ExportContext.forEachRecord`; the report's quartiles also keep the perplexities, one number per
/// fact), and rows come out in record order.
struct KnowTuningExporter {
    typealias Kinds = KnowTuningRecipe.Kinds

    /// The name LLaMA-Factory's `dataset_info.json` registers the ranking file under.
    static let llamaFactoryDataset = "knowtuning_ranking"

    /// A line of `provenance.jsonl`: where a line of `sft.jsonl` or `dpo.jsonl` came from, with the
    /// run's numeric ids (which is why this file, unlike the data files, differs between equal builds).
    struct ProvenanceRow: Encodable {
        var file: String
        var row: Int
        var buildID: Int
        var recordPosition: Int
        var recordLine: Int
        var recordID: String?
        var tasks: [String: String]
        var taskIDs: [String: Int]

        enum CodingKeys: String, CodingKey {
            case file, row, tasks
            case buildID = "build_id"
            case recordPosition = "record_position"
            case recordLine = "record_line"
            case recordID = "record_id"
            case taskIDs = "task_ids"
        }
    }

    let context: ExportContext
    private let encoder = ExportFileWriter.encoder()

    init(context: ExportContext) {
        self.context = context
    }

    func run() async throws -> RecipeExportSummary {
        let parameters: KnowTuningRecipe.Parameters
        do {
            parameters = try context.spec.parameters.decode(KnowTuningRecipe.Parameters.self)
        } catch {
            throw RecipeError(.exportFailed, "build '\(context.spec.name)' has parameters that are not KnowTuning's: \(error)")
        }
        let sft = try context.directory.create("sft.jsonl", deterministic: true)
        let dpo = try context.directory.create("dpo.jsonl", deterministic: true)
        let provenance = try context.directory.create("provenance.jsonl", deterministic: false)
        var ranking: ExportFileWriter?
        if parameters.llamaFactory {
            let folder = context.directory.url.appendingPathComponent("llama_factory")
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw RecipeError(.exportFailed, "cannot create the folder: \(error)", file: folder.path)
            }
            ranking = try context.directory.create("llama_factory/ranking.jsonl", deterministic: true)
        }
        var tally = KnowTuningReport.Tally(build: context.spec.name)
        var summary = RecipeExportSummary()
        var sftRows = 0
        var dpoRows = 0

        try await context.forEachRecord(kinds: KnowTuningRecipe.KindName.all) { record in
            guard let extract = record.all(Kinds.extract).first else { return }
            let seed = try extract.payload(as: Kinds.extract)
            let (outcome, rows) = try Self.outcome(of: record, extract: extract, seed: seed)
            for (kind, call) in Self.calls(outcome) { summary.note(call, kind: kind) }
            func provenanceRow(_ file: String, _ row: Int, _ tasks: [TaskResultRow]) -> ProvenanceRow {
                ProvenanceRow(
                    file: file, row: row, buildID: context.build.id, recordPosition: seed.position, recordLine: seed.line, recordID: seed.record.id,
                    tasks: Dictionary(tasks.map { ($0.kind, $0.key) }, uniquingKeysWith: { first, _ in first }),
                    taskIDs: Dictionary(tasks.map { ($0.kind, $0.taskID) }, uniquingKeysWith: { first, _ in first }))
            }

            try sft.writeLine(KnowTuningSFTRow(user: outcome.record.question, assistant: outcome.record.answer), encoder: encoder)
            sftRows += 1
            try provenance.writeLine(provenanceRow("sft.jsonl", sftRows, [extract]), encoder: encoder)
            for (row, rewrite) in zip(rows.rewrites, outcome.rewrites) {
                guard let output = rewrite.output else { continue }
                try sft.writeLine(KnowTuningSFTRow(user: output.question, assistant: output.answer), encoder: encoder)
                sftRows += 1
                try provenance.writeLine(provenanceRow("sft.jsonl", sftRows, [extract] + (rows.select.map { [$0] } ?? []) + [row]), encoder: encoder)
            }
            for aspect in KnowTuningAspect.allCases {
                guard case .pair(let pair) = outcome.result(for: aspect) else { continue }
                try dpo.writeLine(pair, encoder: encoder)
                try ranking?.writeLine(LlamaFactoryRankingRow(pair), encoder: encoder)
                dpoRows += 1
                try provenance.writeLine(provenanceRow("dpo.jsonl", dpoRows, [extract] + (rows.corruptions[aspect] ?? [])), encoder: encoder)
            }
            tally.add(outcome)
        }
        try context.directory.finish(sft)
        try context.directory.finish(dpo)
        try context.directory.finish(provenance)
        if let ranking {
            try context.directory.finish(ranking)
            let info = try context.directory.create("llama_factory/dataset_info.json", deterministic: true)
            try info.writeDocument(LlamaFactoryRankingRow.datasetInfo(name: Self.llamaFactoryDataset, file: "ranking.jsonl"))
            try context.directory.finish(info)
        }
        let report = try context.directory.create("report.json", deterministic: true)
        try report.writeDocument(tally.finished(rejected: try await context.records.rejects(buildID: context.build.id).count))
        try context.directory.finish(report)
        summary.models = summary.models.mapValues { $0.sorted() }
        return summary
    }

    /// The task rows behind an outcome, for provenance.
    struct Rows {
        var select: TaskResultRow?
        /// Parallel to the outcome's rewrites.
        var rewrites: [TaskResultRow]
        /// Per aspect: the corruption, then its verification when there is one.
        var corruptions: [KnowTuningAspect: [TaskResultRow]]
    }

    /// One record's tasks read into its outcome.
    static func outcome(of record: RecordTasks, extract: TaskResultRow, seed: Seed<KnowTuningRecord>) throws -> (KnowTuningRecordOutcome, Rows) {
        let select = record.all(Kinds.select).first
        let rewrites = record.all(Kinds.rewrite)
        var outcome = KnowTuningRecordOutcome(
            record: seed.record, extraction: try stage(extract, Kinds.extract), scores: try record.all(Kinds.score).map { try stage($0, Kinds.score) },
            selection: try select.map { try stage($0, Kinds.select) }, rewrites: try rewrites.map { try stage($0, Kinds.rewrite) })
        var rows = Rows(select: select, rewrites: rewrites, corruptions: [:])
        for aspect in KnowTuningAspect.allCases {
            guard let corruption = record.all(Kinds.corrupt(aspect)).first else { continue }
            let verify = record.descendants(of: corruption, Kinds.verify).first
            outcome.corruptions[aspect] = KnowTuningRecordOutcome.Corruption(
                negative: try stage(corruption, Kinds.corrupt(aspect)), verification: try verify.map { try stage($0, Kinds.verify) })
            rows.corruptions[aspect] = [corruption] + (verify.map { [$0] } ?? [])
        }
        return (outcome, rows)
    }

    static func stage<Payload, Output>(_ row: TaskResultRow, _ kind: TaskKind<Payload, Output>) throws -> KnowTuningRecordOutcome.Stage<Output> {
        if row.failed { return .failed }
        guard row.state == .completed, let output = try row.output(as: kind) else { return .pending }
        return .completed(output)
    }

    /// Every endpoint call an outcome records, with the kind that made it.
    static func calls(_ outcome: KnowTuningRecordOutcome) -> [(String, LLMCallRecord)] {
        typealias Name = KnowTuningRecipe.KindName
        var calls: [(String, LLMCallRecord)] = []
        if let call = outcome.extraction.output?.call { calls.append((Name.extract, call)) }
        calls += outcome.scores.compactMap { $0.output.map { (Name.score, $0.call) } }
        calls += outcome.rewrites.compactMap { $0.output.map { (Name.rewrite, $0.call) } }
        for aspect in KnowTuningAspect.allCases {
            guard let corruption = outcome.corruptions[aspect] else { continue }
            if let call = corruption.negative.output?.call { calls.append((Name.corrupt(aspect), call)) }
            calls += (corruption.verification?.output?.judgements ?? []).map { (Name.verify, $0.call) }
        }
        return calls
    }
}
