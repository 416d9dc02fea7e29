import Foundation
import QuarryPostgres

/// Small helpers shared by the benchmarks.
enum BenchSupport {
    /// A run's scratch: a schema and a temporary folder named for it (the caller removes the folder), and
    /// the database URL the processes it starts connect with.
    struct Scratch {
        var schema: String
        var url: String
        var home: URL
    }

    static func scratch(_ prefix: String, database: DatabaseOptions) throws -> Scratch {
        let schema = "\(prefix)_\(Int(Date().timeIntervalSince1970))"
        let url = database.databaseURL ?? ProcessInfo.processInfo.environment["QUARRY_DATABASE_URL"] ?? ""
        let home = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("quarry-\(schema)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        return Scratch(schema: schema, url: url, home: home)
    }

    /// A PostgreSQL client tool (psql, pgbench): on PATH, else from the server's bin directory.
    static func tool(_ name: String) -> String {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        if let bin = try? PostgresCluster.locateBinaries() { return bin.appendingPathComponent(name).path }
        return name
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.2f", value)
    }
}
