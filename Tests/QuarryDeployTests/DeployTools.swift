import Foundation
import QuarryPostgres
import QuarryTestSupport
import Testing

/// The deploy/ folder, the vendored schemas, and the validators `scripts/install-deps.sh` installs.
enum DeployTools {
    static var repository: URL { TestDatabase.repositoryRoot }
    static var deploy: URL { repository.appendingPathComponent("deploy") }

    static func path(_ relative: String) -> String { deploy.appendingPathComponent(relative).path }
    static func fixture(_ relative: String) -> String { Fixtures.url(relative).path }

    /// The full path of `tool` on PATH, or nil.
    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a validator to completion. A missing tool is a failure naming the install script, not a skip.
    static func run(_ command: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        guard which(command[0]) != nil || command[0].hasPrefix("/") else {
            Issue.record("\(command[0]) is not installed: run scripts/install-deps.sh")
            return (127, "\(command[0]): not installed")
        }
        return try await ChildProcess.complete(command, environment: environment)
    }

    /// Copies `source` (a file or folder) into a fresh temporary folder, runs `body` with the copy's path,
    /// and deletes the folder whatever happens.
    static func withCopy<T>(of source: String, _ body: (String) async throws -> T) async throws -> T {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("quarry-deploy-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent(URL(fileURLWithPath: source).lastPathComponent)
        try FileManager.default.copyItem(atPath: source, toPath: copy.path)
        return try await body(copy.path)
    }

    /// Replaces the one occurrence of `old` in the file at `path` (a test that mutates a manifest must
    /// hit the text it means to: zero or several matches fail the test).
    static func replace(_ old: String, with new: String, in path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let count = text.components(separatedBy: old).count - 1
        try #require(count == 1, "expected one '\(old)' in \(path), found \(count)")
        try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
    }
}
