import Foundation
import QuarryPostgres
import QuarryTestSupport
import Testing

/// Runs `scripts/check_knowtuning_export.py` (Hugging Face `datasets`) over an export folder.
enum KnowTuningExportCheck {
    static var script: String {
        TestDatabase.repositoryRoot.appendingPathComponent("scripts/check_knowtuning_export.py").path
    }

    /// Expects the script to pass; returns its summary line. The script exits 2 naming the package when
    /// `datasets` is missing (scripts/install-deps.sh installs it), which fails here with that message.
    @discardableResult
    static func expectLoads(_ folder: URL, llamaFactory: Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let result = try await ChildProcess.complete(
            ["python3", script, folder.path] + (llamaFactory ? ["--llama-factory"] : []), timeout: .seconds(300))
        #expect(result.status == 0, "check_knowtuning_export.py failed:\n\(result.output)", sourceLocation: sourceLocation)
        #expect(result.output.contains("knowtuning export check:") && result.output.contains(" 0 failed"), "\(result.output)", sourceLocation: sourceLocation)
        return result.output
    }
}
