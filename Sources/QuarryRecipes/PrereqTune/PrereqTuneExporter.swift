import Foundation
import QuarryQueue

/// Writes a prereq_tune build's files: `knowledge/statements_v{k}.jsonl`, `knowledge/passages_v{k}.jsonl`
/// (top-down), `skill/train_fake.jsonl` (top-down) or `skill/train_fake_v{k}.jsonl` (short QA),
/// `entities.jsonl`, `report.json` and the `README.md` card.
///
/// Two passes over the build's tasks, one record at a time: the first reads only entity outputs and
/// settles the build's names (`PrereqNameRegistry`), the second assembles and writes each entity.
/// Every row depends only on the build's input, spec and seed, so equal builds export equal bytes.
struct PrereqTuneExporter {
    typealias Kind = PrereqTuneRecipe.Kind

    let context: ExportContext
    private let encoder = ExportFileWriter.encoder()

    init(context: ExportContext) {
        self.context = context
    }

    func run() async throws -> RecipeExportSummary {
        let parameters = try PrereqTuneParameters(context.spec.parameters)
        let names = try await settleNames()
        for folder in ["knowledge", "skill"] {
            do {
                try FileManager.default.createDirectory(at: context.directory.url.appendingPathComponent(folder), withIntermediateDirectories: true)
            } catch {
                throw RecipeError(.exportFailed, "cannot create the folder: \(error)", file: context.directory.url.appendingPathComponent(folder).path)
            }
        }
        let versions = Array(1...max(parameters.versions, 1))
        let statements = try Dictionary(uniqueKeysWithValues: versions.map { ($0, try context.directory.create("knowledge/statements_v\($0).jsonl", deterministic: true)) })
        let topDown = parameters.strategy == .topDown
        let passages = topDown
            ? try Dictionary(uniqueKeysWithValues: versions.map { ($0, try context.directory.create("knowledge/passages_v\($0).jsonl", deterministic: true)) }) : [:]
        let trainFake = topDown ? try context.directory.create("skill/train_fake.jsonl", deterministic: true) : nil
        let shortQA = topDown
            ? [:] : try Dictionary(uniqueKeysWithValues: versions.map { ($0, try context.directory.create("skill/train_fake_v\($0).jsonl", deterministic: true)) })
        let entities = try context.directory.create("entities.jsonl", deterministic: true)
        var assembler = PrereqExportAssembler(build: context.spec.name, parameters: parameters, names: names)
        var summary = RecipeExportSummary()

        try await context.forEachRecord(kinds: Self.kinds(parameters)) { record in
            let rows: PrereqExportAssembler.Rows
            if topDown {
                let group = try Self.group(
                    record, verify: Kind.verify, reverify: Kind.reverify, passage: Kind.passage, levels: parameters.maxRegenerations, summary: &summary)
                guard let group else { return }
                rows = assembler.add(group)
            } else {
                let group = try Self.group(
                    record, verify: Kind.verifyQA, reverify: Kind.reverifyQA, passage: nil, levels: parameters.maxRegenerations, summary: &summary)
                guard let group else { return }
                rows = assembler.add(group)
            }
            try entities.writeLine(rows.entity, encoder: encoder)
            for version in versions {
                for text in rows.statements[version] ?? [] { try statements[version]?.writeLine(PrereqRows.Knowledge(text: text), encoder: encoder) }
                if let text = rows.passages[version] { try passages[version]?.writeLine(PrereqRows.Knowledge(text: text), encoder: encoder) }
                if let row = rows.shortQA[version] { try shortQA[version]?.writeLine(row, encoder: encoder) }
            }
            for row in rows.trainFake { try trainFake?.writeLine(row, encoder: encoder) }
        }
        for version in versions {
            if let file = statements[version] { try context.directory.finish(file) }
            if let file = passages[version] { try context.directory.finish(file) }
            if let file = shortQA[version] { try context.directory.finish(file) }
        }
        if let trainFake { try context.directory.finish(trainFake) }
        try context.directory.finish(entities)

        let report = try context.directory.create("report.json", deterministic: true)
        try report.writeDocument(assembler.report)
        try context.directory.finish(report)
        let card = try context.directory.create("README.md", deterministic: true)
        try card.writeText(PrereqDatasetCard.text(report: assembler.report, parameters: parameters))
        try context.directory.finish(card)
        summary.models = summary.models.mapValues { $0.sorted() }
        return summary
    }

    /// Every kind the exporter reads for the build's strategy.
    static func kinds(_ parameters: PrereqTuneParameters) -> [String] {
        let levels = Array(1...PrereqTuneParameters.regenerationLimit)
        if parameters.strategy == .topDown {
            return [Kind.entity.name, Kind.name.name, Kind.biography.name, Kind.verify.name, Kind.regenerate.name, Kind.passage.name] + levels.map { Kind.reverify($0).name }
        }
        return [Kind.entity.name, Kind.name.name, Kind.triple.name, Kind.verifyQA.name, Kind.regenerateQA.name] + levels.map { Kind.reverifyQA($0).name }
    }

    /// The build's names, settled in input order from every named entity's claim (its name after
    /// `prereq.name`, which renamed the entities whose first name an earlier one held).
    private func settleNames() async throws -> [Int: PrereqNameRegistry.Settlement] {
        var seeds: [String] = []
        var claims: [PrereqNameRegistry.Claim] = []
        try await context.forEachRecord(kinds: [Kind.entity.name, Kind.name.name]) { record in
            for row in record.all(Kind.entity) {
                seeds.append(try row.payload(as: Kind.entity).record.name)
            }
            if let entity = try Self.entity(record), entity.named {
                claims.append(PrereqNameRegistry.Claim(position: record.position, seed: entity.seed, names: [entity.name]))
            }
        }
        return PrereqNameRegistry(seeds: seeds).settle(claims)
    }

    /// A record's entity as its versions were written: after `prereq.name` when it was named (nil when that
    /// check did not complete), else as `prereq.entity` left it.
    static func entity(_ record: RecordTasks) throws -> PrereqEntity? {
        guard let first = try record.all(Kind.entity).first?.output(as: Kind.entity) else { return nil }
        guard first.named else { return first }
        return try record.all(Kind.name).first?.output(as: Kind.name)
    }

    /// One record's entity group: its entity, the deepest verification that completed, its passages;
    /// nil for a record without an entity task (there is none in a prereq_tune build).
    private static func group<Content>(
        _ record: RecordTasks, verify: TaskKind<Joined<PrereqEntity>, PrereqVerification<Content>>,
        reverify: (Int) -> TaskKind<Joined<PrereqVerification<Content>>, PrereqVerification<Content>>,
        passage: TaskKind<EachElement<PrereqPassageRequest>, PrereqPassage>?, levels: Int, summary: inout RecipeExportSummary
    ) throws -> PrereqEntityGroup<Content>? {
        guard let entityRow = record.all(Kind.entity).first else { return nil }
        let seed = try entityRow.payload(as: Kind.entity).record.name
        let entity = try Self.entity(record)
        for call in entity?.calls ?? [] { summary.note(call, kind: Kind.entity.name) }
        var verification = try record.all(verify).first?.output(as: verify)
        for call in verification?.calls ?? [] { summary.note(call, kind: verify.name) }
        for level in (1...max(levels, 1)) where level <= levels {
            let kind = reverify(level)
            guard let deeper = try record.all(kind).first?.output(as: kind) else { break }
            for call in deeper.calls { summary.note(call, kind: kind.name) }
            verification = deeper
        }
        for entry in verification?.entries ?? [] {
            for call in entry.content?.calls ?? [] { summary.note(call, kind: entry.content?.attempt == 0 ? "writing" : "regeneration") }
        }
        var passages: [Int: PrereqPassage] = [:]
        if let passage {
            for row in record.all(passage) {
                guard let output = try row.output(as: passage) else { continue }
                passages[output.version] = output
                if let call = output.call { summary.note(call, kind: passage.name) }
            }
        }
        return PrereqEntityGroup(position: record.position, seed: seed, entity: entity, verification: verification, passages: passages)
    }
}
