import ArgumentParser
import Foundation
import QuarryPostgres

struct BenchCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Bulk load through Quarry's COPY beside `psql \\copy` of the same rows into the same server.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Rows per load.")
    var rows = 1_000_000

    @Option(help: "Loads per side (alternating); the median is reported.")
    var repeats = 3

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        let connection = try await PostgresConnection.connect(configuration: database.configuration(role: "bench"))
        let table = "quarry_bench_copy"
        try await connection.query("DROP TABLE IF EXISTS \(identifier: table)")
        try await connection.query("CREATE TABLE \(identifier: table) (id bigint, label text, score double precision)")
        // The same narrow rows for both sides; psql reads them from a file written once.
        let file = NSTemporaryDirectory() + "quarry-bench-copy.tsv"
        var text = ""
        text.reserveCapacity(rows * 32)
        for index in 0..<rows { text += "\(index)\tlabel-\(index % 1000)\t\(Double(index % 977) / 7)\n" }
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }

        let preparedRows = (0..<rows).map { index in
            PreparedRow(id: index, label: "label-\(index % 1000)", score: String(Double(index % 977) / 7))
        }
        var quarryRates: [Double] = [], psqlRates: [Double] = []
        let url = database.databaseURL ?? ProcessInfo.processInfo.environment["QUARRY_DATABASE_URL"] ?? ""
        for round in 1...repeats {
            try await connection.query("TRUNCATE \(identifier: table)")
            // Rows are built before the clock starts, as psql's file was: both sides time the load only.
            let prepared = preparedRows
            let started = ContinuousClock.now
            let loaded = try await connection.copyIn("COPY \(identifier: table) (id, label, score) FROM STDIN") { writer in
                for row in prepared {
                    writer.append(row.id)
                    try writer.append(row.label)
                    try writer.append(row.score)
                    try writer.endRow()
                }
            }
            let quarrySeconds = BenchSupport.seconds(ContinuousClock.now - started)
            guard loaded == rows else { throw ValidationError("Quarry loaded \(loaded) rows, expected \(rows)") }
            quarryRates.append(Double(rows) / quarrySeconds)

            try await connection.query("TRUNCATE \(identifier: table)")
            let psqlStarted = ContinuousClock.now
            var command = [BenchSupport.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
            if !url.isEmpty { command.append(url) }
            command += ["-c", "\\copy \(table) (id, label, score) FROM '\(file)'"]
            let (status, output) = try ChildProcess.run(command)
            let psqlSeconds = BenchSupport.seconds(ContinuousClock.now - psqlStarted)
            guard status == 0 else { throw ValidationError("psql \\copy failed: \(output)") }
            psqlRates.append(Double(rows) / psqlSeconds)
            print("round \(round): quarry \(BenchSupport.format(quarryRates.last!)) rows/s, psql \\copy \(BenchSupport.format(psqlRates.last!)) rows/s")
        }
        try await connection.query("DROP TABLE \(identifier: table)")
        await connection.close()
        let quarry = BenchSupport.median(quarryRates), psql = BenchSupport.median(psqlRates)
        print("COPY of \(rows) narrow rows, median of \(repeats):")
        print("  quarry copyIn  \(BenchSupport.format(quarry)) rows/s")
        print("  psql \\copy     \(BenchSupport.format(psql)) rows/s")
        print("  ratio          \(String(format: "%.2f", quarry / psql)) (target >= 0.8)")
    }
}

private struct PreparedRow: Sendable {
    var id: Int
    var label: String
    var score: String
}
