import Foundation
import QuarryQueue
import QuarryRecipes
import ServiceLifecycle

/// Prints a progress line per active build (counts per stage, rate, ETA) every `interval`, until
/// graceful shutdown.
struct ProgressReporter: Service {
    let queue: TaskQueue
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            let monitor = BuildProgressMonitor(queue: queue)
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return  // shutting down
                }
                do {
                    // Unbuffered, so lines show up at once when stdout is a file or a pipe.
                    for line in try await monitor.lines() { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
                } catch {
                    FileHandle.standardError.write(Data("progress: \(error)\n".utf8))
                }
            }
        }
    }
}
