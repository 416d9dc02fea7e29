import Foundation
import QuarryPostgres

/// Finds the `migrations/` folder: `--migrations`, else QUARRY_MIGRATIONS, else the nearest `migrations/`
/// above the working directory or above the executable (so `.build/release/quarry` finds the repository's).
enum MigrationsLocator {
    static func locate(explicit: String?) throws -> URL {
        if let path = explicit ?? ProcessInfo.processInfo.environment["QUARRY_MIGRATIONS"] {
            return URL(fileURLWithPath: path)
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath), executable.deletingLastPathComponent()]
        for start in starts {
            var directory = start
            for _ in 0..<8 {
                let candidate = directory.appendingPathComponent("migrations")
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("0001_queue.sql").path) {
                    return candidate
                }
                directory.deleteLastPathComponent()
            }
        }
        throw MigrationError(
            code: .unreadable,
            message: "cannot find the migrations folder; pass --migrations DIR or set QUARRY_MIGRATIONS")
    }

    static func load(explicit: String?) throws -> [Migration] {
        try Migration.load(from: try locate(explicit: explicit))
    }
}
