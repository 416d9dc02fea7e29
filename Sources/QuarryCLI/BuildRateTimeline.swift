import Foundation
import QuarryPostgres
import QuarryQueue
import QuarrySimulator

/// What a benchmarked build did each second: the requests the simulator answered, refused (429) and failed,
/// the requests in flight at the simulator, and the build's tasks that were ready to run, waiting (snoozed or
/// backing off) and running. Shows where a build leaves the endpoint idle: a rate under the allowed one while
/// tasks are ready is the client's pacing; a rate under it with nothing ready is the graph (a barrier, a
/// chain's tail).
struct BuildRateTimeline {
    struct Sample {
        var answered = 0
        var refused = 0
        var failed = 0
        var inFlight = 0
        var ready = 0
        var waiting = 0
        var running = 0
    }

    private(set) var samples: [Sample]

    init(samples: [Sample] = []) {
        self.samples = samples
    }

    /// Samples every second until the calling task is cancelled.
    static func record(simulator: Simulator, pool: PostgresPool, schema: String, buildID: Int) async -> BuildRateTimeline {
        var timeline = BuildRateTimeline()
        let started = ContinuousClock.now
        var previous = simulator.stats
        var second = 0
        while !Task.isCancelled {
            second += 1
            do { try await Task.sleep(until: started + .seconds(second), clock: .continuous) } catch { break }
            let stats = simulator.stats
            var sample = Sample()
            sample.answered = (stats.requestsByStatus["200"] ?? 0) - (previous.requestsByStatus["200"] ?? 0)
            sample.refused = (stats.requestsByStatus["429"] ?? 0) - (previous.requestsByStatus["429"] ?? 0)
            let finished = stats.requestsByStatus.values.reduce(0, +) - previous.requestsByStatus.values.reduce(0, +)
            sample.failed = finished - sample.answered - sample.refused
            sample.inFlight = stats.inFlight
            previous = stats
            if let row = try? await pool.query(
                """
                SELECT count(*) FILTER (WHERE state = 'available' AND run_at <= now()) AS ready,
                       count(*) FILTER (WHERE state = 'available' AND run_at > now()) AS waiting,
                       count(*) FILTER (WHERE state = 'running') AS running
                FROM \(identifier: schema).tasks WHERE build_id = \(buildID)
                """).first
            {
                sample.ready = (try? row.decode(Int.self, "ready")) ?? 0
                sample.waiting = (try? row.decode(Int.self, "waiting")) ?? 0
                sample.running = (try? row.decode(Int.self, "running")) ?? 0
            }
            timeline.samples.append(sample)
        }
        return timeline
    }

    /// One line per `window` seconds: answered/s against the allowed rate, 429s and other failures per
    /// second, and the queue at the window's last second.
    func lines(allowedPerSecond: Double, window: Int) -> [String] {
        var lines = ["  second     answered/s  × allowed  429/s  failed/s  in flight | ready  waiting  running (at the window's end)"]
        let window = max(1, window)
        for start in stride(from: 0, to: samples.count, by: window) {
            let slice = samples[start..<min(samples.count, start + window)]
            let seconds = Double(slice.count)
            let answered = Double(slice.reduce(0) { $0 + $1.answered }) / seconds
            let refused = Double(slice.reduce(0) { $0 + $1.refused }) / seconds
            let failed = Double(slice.reduce(0) { $0 + $1.failed }) / seconds
            let inFlight = Double(slice.reduce(0) { $0 + $1.inFlight }) / seconds
            let last = slice.last ?? Sample()
            lines.append(
                String(
                    format: "  %3d–%3d s  %10.1f  %9.2f  %5.1f  %8.1f  %9.0f | %5d  %7d  %7d", start, start + slice.count, answered,
                    answered / allowedPerSecond, refused, failed, inFlight, last.ready, last.waiting, last.running))
        }
        return lines
    }
}
