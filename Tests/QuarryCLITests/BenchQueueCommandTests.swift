import Foundation
import QuarryPostgres
import QuarryTestSupport
import Testing

/// `quarry bench queue` runs end to end on a small scale: every phase reports, and the backlog's plan check
/// passes. The figures themselves are benchmarks, not asserted here.
@Suite("quarry bench queue")
struct BenchQueueCommandTests {
    @Test("a small run with a backlog prints every figure, and no monitoring view scans tasks", .timeLimit(.minutes(3)))
    func smallRunWithBacklog() throws {
        let (status, output) = try ChildProcess.run(
            [
                TestDatabase.quarryExecutable, "bench", "queue", "--tasks", "2000", "--workers", "2", "--concurrency", "50",
                "--latency-samples", "3", "--enqueue-rounds", "1", "--backlog", "5000", "--log-level", "warning",
            ],
            environment: ["QUARRY_DATABASE_URL": TestDatabase.connectionString])
        #expect(status == 0, "\(output)")
        for expected in [
            "pgbench 2 clients, batches of 50", "empty table: enqueue", "backlog of 5000 finished tasks: enqueue",
            "x raw ceiling", "CPU per task: workers", "vs pgbench client", "each worker's start-up (not counted)",
            "x psql (goal >= 0.8)", "backlog / empty: worked",
        ] {
            #expect(output.contains(expected), "missing \(expected):\n\(output)")
        }
        #expect(output.components(separatedBy: "no scan of tasks").count - 1 == 7, "\(output)")
        #expect(!output.contains("SCANS tasks"), "\(output)")
    }
}
