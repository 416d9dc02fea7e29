import Foundation
import QuarryRecipes
import Synchronization

/// A line on standard error every 2 s while a large input loads: records loaded and rejected so far, and
/// the rate. Standard output keeps only the report (and, with `--quiet`, the build id).
final class LoadingProgress: Sendable {
    private let path: String
    private let started = ContinuousClock.now
    private let lastLine: Mutex<ContinuousClock.Instant>

    init(path: String) {
        self.path = path
        self.lastLine = Mutex(started)
    }

    func report(_ so: SubmitReport) {
        let now = ContinuousClock.now
        let due = lastLine.withLock { last in
            guard now - last >= .seconds(2) else { return false }
            last = now
            return true
        }
        guard due else { return }
        let rate = Double(so.loaded + so.rejected) / max(BenchSupport.seconds(now - started), 0.001)
        FileHandle.standardError.write(
            Data("loading \(path): \(so.loaded) loaded, \(so.rejected) rejected, \(BenchSupport.format(rate)) records/s\n".utf8))
    }
}
