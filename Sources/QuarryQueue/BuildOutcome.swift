/// How a drained build ended, decided from its task counts per stage (kind):
/// - `failed` when a stage that had tasks completed none of them, or when dead ÷ (completed + dead) is
///   above `maxDeadFraction`;
/// - `completedWithErrors` when some tasks died;
/// - `completed` when none did.
/// Cancelled tasks (an operator's choice) count neither way.
public struct BuildOutcome: Sendable, Equatable {
    /// Used when a build does not set `max_dead_fraction`: a fifth of the work lost is past what a
    /// dataset build should quietly call done.
    public static let defaultMaxDeadFraction = 0.2

    public var state: BuildState
    public var reason: String?

    public init(state: BuildState, reason: String? = nil) {
        self.state = state
        self.reason = reason
    }

    /// Counts per kind: completed and dead tasks.
    public struct StageCount: Sendable, Equatable {
        public var completed: Int
        public var dead: Int

        public init(completed: Int, dead: Int) {
            self.completed = completed
            self.dead = dead
        }
    }

    public static func decide(stages: [String: StageCount], maxDeadFraction: Double?) -> BuildOutcome {
        let limit = maxDeadFraction ?? defaultMaxDeadFraction
        let completed = stages.values.reduce(0) { $0 + $1.completed }
        let dead = stages.values.reduce(0) { $0 + $1.dead }
        if completed + dead == 0 { return BuildOutcome(state: .failed, reason: "no task ran") }
        let empty = stages.keys.sorted().filter { stages[$0]?.completed == 0 && (stages[$0]?.dead ?? 0) > 0 }
        if let stage = empty.first {
            let count = stages[stage]?.dead ?? 0
            return BuildOutcome(state: .failed, reason: "stage '\(stage)' produced nothing: all \(count) of its task(s) died")
        }
        let fraction = Double(dead) / Double(completed + dead)
        let share = "\(dead) of \(completed + dead) task(s) died (\(percent(fraction)))"
        if fraction > limit {
            return BuildOutcome(state: .failed, reason: "\(share), more than max_dead_fraction \(percent(limit))")
        }
        if dead > 0 { return BuildOutcome(state: .completedWithErrors, reason: share) }
        return BuildOutcome(state: .completed)
    }

    static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        return value == value.rounded() ? "\(Int(value)) %" : String(format: "%.1f %%", value)
    }
}
