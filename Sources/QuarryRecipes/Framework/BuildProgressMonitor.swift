import Foundation
import QuarryQueue

/// Progress of the builds in flight, one line each: tasks finished per kind, throughput since the
/// last look, and an ETA for the tasks that exist so far (later stages are created as earlier ones
/// finish, so the ETA covers only the tasks that exist yet: a lower bound until the last stage exists).
public final class BuildProgressMonitor {
    public let queue: TaskQueue
    private var previous: [Int: (finished: Int, at: ContinuousClock.Instant)] = [:]
    private var rates: [Int: Double] = [:]

    public init(queue: TaskQueue) {
        self.queue = queue
    }

    /// One line per active or paused build (most recent first).
    public func lines() async throws -> [String] {
        var lines: [String] = []
        let now = ContinuousClock.now
        for build in try await queue.builds(limit: 50) where !build.state.isFinished {
            let stages = try await queue.stageCounts(buildID: build.id)
            var finished = 0
            var waiting = 0
            var parts: [String] = []
            for kind in stages.keys.sorted() {
                let states = stages[kind] ?? [:]
                let done = (states["completed"] ?? 0) + (states["dead"] ?? 0) + (states["cancelled"] ?? 0)
                let total = states.values.reduce(0, +)
                finished += done
                waiting += (states["available"] ?? 0) + (states["running"] ?? 0)
                let dead = states["dead"] ?? 0
                parts.append("\(kind) \(done)/\(total)" + (dead > 0 ? " (\(dead) dead)" : ""))
            }
            var rateText = "rate -"
            var etaText = "ETA -"
            if let last = previous[build.id] {
                let seconds = Double((now - last.at).components.seconds) + Double((now - last.at).components.attoseconds) / 1e18
                if seconds > 0 {
                    let instant = Double(finished - last.finished) / seconds
                    // Smoothed, so one quiet interval does not swing the ETA wildly.
                    let rate = rates[build.id].map { 0.5 * $0 + 0.5 * instant } ?? instant
                    rates[build.id] = rate
                    rateText = String(format: "%.1f tasks/s", rate)
                    if waiting == 0 {
                        etaText = "ETA 0s"
                    } else if rate > 0 {
                        etaText = "ETA " + Self.duration(Double(waiting) / rate)
                    }
                }
            }
            previous[build.id] = (finished, now)
            let state = build.state == .paused ? " [paused: \(build.stateReason ?? "")]" : ""
            lines.append(
                "build \(build.id) \(build.name)\(state): \(parts.isEmpty ? "not seeded yet" : parts.joined(separator: ", ")) | \(rateText) | \(etaText)")
        }
        return lines
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 1 { return "<1s" }
        if total < 60 { return "\(total)s" }
        if total < 3_600 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total / 3_600)h\(String(format: "%02d", total / 60 % 60))m"
    }
}
