/// Where a build is in its life. A drained build ends in one of three outcomes, so that a build whose
/// tasks died never looks finished: `completed` (every task completed), `completedWithErrors` (some died,
/// no more than its `max_dead_fraction`), `failed` (a stage produced nothing, or too many died).
public enum BuildState: String, Sendable, Codable, CaseIterable {
    case active
    case paused
    case completed
    case completedWithErrors = "completed_with_errors"
    case failed
    case cancelled

    /// True once the build has ended: nothing more runs unless dead tasks are retried.
    public var isFinished: Bool {
        switch self {
        case .active, .paused: false
        case .completed, .completedWithErrors, .failed, .cancelled: true
        }
    }
}
