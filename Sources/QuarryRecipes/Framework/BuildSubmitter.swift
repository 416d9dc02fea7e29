import Foundation
import QuarryQueue

/// Creates a build from a checked `BuildPlan`: stores the graph its parameters shape, streams its input
/// through the recipe's field mapping, loads good records with COPY in batches, enqueues their seed
/// tasks, and stores every reject with its line and reason.
///
/// The build is created paused and resumed only once all records and seeds are in, so no worker starts
/// and no coordinator ends a build that is half loaded; a failed submit deletes it.
public struct BuildSubmitter: Sendable {
    /// Rejects kept for the printed report; the rest are counted (and stored).
    public static let reportedRejects = 50
    public static let batchSize = 2_000

    public let queue: TaskQueue?

    /// With no queue, `submit` is a dry run: it reads and checks every record and stores nothing.
    public init(queue: TaskQueue?) {
        self.queue = queue
    }

    /// `progress` sees the report so far after each batch of `batchSize` records is stored (or read, in a dry run).
    public func submit(_ plan: BuildPlan, progress: (SubmitReport) -> Void = { _ in }) async throws -> SubmitReport {
        var reader = try RecordReader(recipe: plan.recipe, input: plan.spec.input)
        defer { reader.close() }
        var buildID: Int?
        let graph = plan.recipe.graph(parameters: plan.spec.parameters)
        if let queue {
            let id = try await queue.createBuild(
                name: plan.spec.name, recipe: plan.spec.recipe, spec: BuildSpecStore.encode(plan.spec),
                graph: graph.buildGraph(parameters: plan.spec.parameters), budgetUSD: plan.spec.budgetUSD,
                maxDeadFraction: plan.spec.maxDeadFraction, pausedReason: "loading input records")
            buildID = id
        }
        var report = SubmitReport(buildID: buildID, name: plan.spec.name, recipe: plan.spec.recipe, loaded: 0, rejected: 0, rejects: [])
        var records: [BuildRecord] = []
        var rejects: [RejectedRecord] = []
        func flush() async throws {
            if let queue, let buildID, !(records.isEmpty && rejects.isEmpty) {
                try await RecordStore(queue: queue).load(buildID: buildID, records, rejects: rejects)
                try await queue.enqueue(buildID: buildID, records.flatMap(graph.seedTasks(for:)))
            }
            records.removeAll(keepingCapacity: true)
            rejects.removeAll(keepingCapacity: true)
        }
        do {
            while let outcome = try reader.next() {
                switch outcome {
                case .accepted(let record):
                    records.append(record)
                    report.loaded += 1
                case .rejected(let reject):
                    rejects.append(reject)
                    report.rejected += 1
                    if report.rejects.count < Self.reportedRejects { report.rejects.append(reject) }
                }
                if records.count + rejects.count >= Self.batchSize {
                    try await flush()
                    progress(report)
                }
            }
            try await flush()
        } catch {
            // A failed submit leaves nothing behind: the build never started, so it goes with its rows.
            if let queue, let buildID { await discard(buildID, queue: queue) }
            throw error
        }
        guard report.loaded > 0 else {
            if let queue, let buildID { await discard(buildID, queue: queue) }
            let first = report.rejects.first.map { " (first: line \($0.line): \($0.reason))" } ?? ""
            throw RecipeError(
                .noRecords, "no record could be loaded: \(report.rejected) rejected\(first)", file: plan.spec.input.path, field: "input")
        }
        if let queue, let buildID { try await queue.resumeBuild(buildID) }
        return report
    }

    /// Removes a half-submitted build; if even that fails (the database went away), says which build
    /// to prune rather than hiding it.
    private func discard(_ buildID: Int, queue: TaskQueue) async {
        do {
            try await queue.discardBuild(buildID)
        } catch {
            FileHandle.standardError.write(Data("could not remove the half-submitted build \(buildID) (\(error)); run `quarry prune \(buildID)`\n".utf8))
        }
    }
}
