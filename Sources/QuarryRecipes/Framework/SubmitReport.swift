import QuarryJSON
import QuarryQueue

/// What submitting a build did.
public struct SubmitReport: Sendable, Equatable {
    /// Nil for a dry run.
    public var buildID: Int?
    public var name: String
    public var recipe: String
    public var loaded: Int
    public var rejected: Int
    /// The first `BuildSubmitter.reportedRejects` rejects, in line order (all are stored with the build).
    public var rejects: [RejectedRecord]

    public init(buildID: Int?, name: String, recipe: String, loaded: Int, rejected: Int, rejects: [RejectedRecord]) {
        self.buildID = buildID
        self.name = name
        self.recipe = recipe
        self.loaded = loaded
        self.rejected = rejected
        self.rejects = rejects
    }

    /// The report as printed by `quarry submit`.
    public var text: String {
        var lines: [String] = []
        if let buildID {
            lines.append("build \(buildID) '\(name.escapingControlCharacters)' (\(recipe)) submitted: \(loaded) record(s) loaded, \(rejected) rejected")
        } else {
            lines.append("dry run of '\(name.escapingControlCharacters)' (\(recipe)): \(loaded) record(s) would load, \(rejected) rejected")
        }
        for reject in rejects {
            lines.append("  line \(reject.line): \(reject.reason)" + (reject.excerpt.isEmpty ? "" : "  [\(reject.excerpt.prefix(60))]"))
        }
        if rejected > rejects.count { lines.append("  … and \(rejected - rejects.count) more (all stored with the build; `quarry export` writes rejects.jsonl)") }
        return lines.joined(separator: "\n")
    }
}
