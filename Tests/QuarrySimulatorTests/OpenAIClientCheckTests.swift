import Foundation
import QuarrySimulator
import Testing

/// Whether `python3` can import the official `openai` package here.
enum OpenAIPython {
    static let isAvailable: Bool = {
        guard let result = try? run(["python3", "-c", "import openai"], timeout: 60) else { return false }
        return result.status == 0
    }()

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs a command through /usr/bin/env and returns its exit status and combined output.
    static func run(_ arguments: [String], timeout: TimeInterval) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-sim-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer {
            try? handle.close()
            try? FileManager.default.removeItem(at: log)
        }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return (-1, "timed out after \(timeout) s\n" + ((try? String(contentsOf: log, encoding: .utf8)) ?? ""))
        }
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}

@Suite("Official openai Python client")
struct OpenAIClientCheckTests {
    @Test(
        "scripts/openai_client_check.py passes against two simulators",
        .enabled(if: OpenAIPython.isAvailable, "python3 with the openai package is not installed (pip install openai)"))
    func pythonClient() async throws {
        try await withSimulator { client in
            try await withSimulator({ $0.faults.rateLimited = 1 }) { limited in
                let script = OpenAIPython.repositoryRoot.appendingPathComponent("scripts/openai_client_check.py").path
                // The script blocks a thread while it runs; run it off the cooperative pool.
                let result = try await Task.detached {
                    try OpenAIPython.run(
                        ["python3", script, "--base-url", "http://127.0.0.1:\(client.port)/v1",
                         "--limited-url", "http://127.0.0.1:\(limited.port)/v1"],
                        timeout: 120)
                }.value
                #expect(result.status == 0, "openai_client_check.py failed:\n\(result.output)")
                #expect(result.output.contains("openai client check:") && result.output.contains(" 0 failed"), "\(result.output)")
            }
        }
    }
}
