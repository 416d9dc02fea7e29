import Foundation
import QuarryPostgres

/// Whether `python3` can import the official `openai` package here.
enum OpenAIPython {
    static let isAvailable: Bool = {
        guard let result = try? ChildProcess.run(["python3", "-c", "import openai"]) else { return false }
        return result.status == 0
    }()

    /// The checkout holding this file: the nearest ancestor directory with `scripts/openai_client_check.py`.
    static var repositoryRoot: URL {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("scripts/openai_client_check.py").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// Runs a command (looked up on PATH) and returns its exit status and combined output; kills it after `timeout`.
    static func run(_ arguments: [String], timeout: Duration) async throws -> (status: Int32, output: String) {
        let child = try ChildProcess(arguments[0], Array(arguments.dropFirst()))
        defer { unlink(child.outputPath) }
        guard let status = await child.waitForExit(timeout: timeout) else {
            child.signal(SIGKILL)
            _ = await child.waitForExit(timeout: .seconds(10))
            return (-1, "timed out after \(timeout)\n" + child.output)
        }
        return (status, child.output)
    }
}
