import Foundation
import QuarryQueue

/// One line of `rejects.jsonl`.
private struct RejectRow: Encodable {
    var line: Int
    var reason: String
    var excerpt: String
}

/// `quarry export`: writes a build's data files (by its recipe's exporter), `rejects.jsonl` and
/// `manifest.json` into a folder. Streams tasks in key order, a record at a time (`ExportContext`), and works
/// on a running build (the manifest then says `partial: true`).
public struct BuildExporter: Sendable {
    public let queue: TaskQueue
    public let catalog: RecipeCatalog

    public init(queue: TaskQueue, catalog: RecipeCatalog = .standard) {
        self.queue = queue
        self.catalog = catalog
    }

    @discardableResult
    public func export(buildID: Int, to folder: URL) async throws -> ExportManifest {
        guard let build = try await queue.build(buildID) else {
            throw RecipeError(.unknownBuild, "no build with id \(buildID)", field: "BUILD")
        }
        guard let recipeName = build.recipe else {
            throw RecipeError(.unknownRecipe, "build \(buildID) has no recipe, so there is nothing to export", field: "BUILD")
        }
        let recipe = try catalog.recipe(named: recipeName)
        let spec = try BuildSpecStore.decode(build.spec)
        // Counts are read before the rows: on a running build they describe the moment the export began.
        let stages = try await queue.stageCounts(buildID: buildID)
        let dead = try await queue.deadSummary(buildID: buildID)
        let records = RecordStore(queue: queue)
        let loaded = try await records.count(buildID: buildID)
        let directory = try ExportDirectory(url: folder)
        let summary = try await recipe.export(ExportContext(build: build, spec: spec, queue: queue, directory: directory))

        let rejects = try await records.rejects(buildID: buildID)
        let rejectsFile = try directory.create("rejects.jsonl", deterministic: true)
        let encoder = ExportFileWriter.encoder()
        for reject in rejects {
            try rejectsFile.writeLine(RejectRow(line: reject.line, reason: reject.reason, excerpt: reject.excerpt), encoder: encoder)
        }
        try directory.finish(rejectsFile)

        var usage = summary.usage
        var total = UsageTotals()
        for totals in usage.values { total.add(totals) }
        usage["total"] = total
        let manifest = ExportManifest(
            quarryVersion: QuarryVersion.current, exportedAt: ExportManifest.timestamp(Date()),
            build: ExportManifest.Build(
                id: build.id, name: build.name, recipe: recipeName, state: build.state.rawValue, stateReason: build.stateReason,
                createdAt: ExportManifest.timestamp(build.createdAt), finishedAt: build.finishedAt.map(ExportManifest.timestamp)),
            partial: !build.state.isFinished || build.state == .cancelled, spec: spec, promptVersions: spec.promptVersions, endpoints: spec.endpoints,
            models: summary.models, records: ExportManifest.Records(loaded: loaded, rejected: rejects.count), stages: stages,
            dead: dead.map { ExportManifest.DeadGroup(kind: $0.kind, errorClass: $0.errorClass, count: $0.count, example: $0.example) },
            usage: usage, files: directory.files)
        let manifestFile = try directory.create("manifest.json", deterministic: false)
        try manifestFile.writeDocument(manifest)
        try directory.finish(manifestFile)
        return manifest
    }
}
