import Foundation
import QuarryQueue

/// `manifest.json`: what a build export holds and how it came to be.
public struct ExportManifest: Sendable, Equatable, Codable {
    public struct Build: Sendable, Equatable, Codable {
        public var id: Int
        public var name: String
        public var recipe: String
        public var state: String
        public var stateReason: String?
        public var createdAt: String
        public var finishedAt: String?

        enum CodingKeys: String, CodingKey {
            case id, name, recipe, state
            case stateReason = "state_reason"
            case createdAt = "created_at"
            case finishedAt = "finished_at"
        }
    }

    public struct Records: Sendable, Equatable, Codable {
        public var loaded: Int
        public var rejected: Int

        public init(loaded: Int, rejected: Int) {
            self.loaded = loaded
            self.rejected = rejected
        }
    }

    public struct DeadGroup: Sendable, Equatable, Codable {
        public var kind: String
        public var errorClass: String
        public var count: Int
        public var example: String

        enum CodingKeys: String, CodingKey {
            case kind, count, example
            case errorClass = "error_class"
        }
    }

    public var quarryVersion: String
    public var exportedAt: String
    public var build: Build
    /// True unless the build had completed when the export started: tasks may still be running, and
    /// rows may show `pending`.
    public var partial: Bool
    /// The stored spec (no secrets: endpoints by name, keys stay with the workers).
    public var spec: StoredBuildSpec
    public var promptVersions: [String: String]
    /// Role → endpoint name.
    public var endpoints: [String: String]
    /// Endpoint → models that answered.
    public var models: [String: [String]]
    public var records: Records
    /// Task kind → state → count.
    public var stages: [String: [String: Int]]
    public var dead: [DeadGroup]
    /// Task kind → usage, plus `total`. Costs are at the endpoint prices the workers were configured with.
    public var usage: [String: UsageTotals]
    public var files: [ExportedFile]

    enum CodingKeys: String, CodingKey {
        case build, partial, spec, endpoints, models, records, stages, dead, usage, files
        case quarryVersion = "quarry_version"
        case exportedAt = "exported_at"
        case promptVersions = "prompt_versions"
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
