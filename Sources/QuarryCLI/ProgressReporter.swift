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
                    // Standard output is line-buffered (`StandardOutput`): each line shows up at once in a pipe too.
                    for line in try await monitor.lines() { print(line) }
                } catch {
                    FileHandle.standardError.write(Data("progress: \(error)\n".utf8))
                }
            }
        }
    }
}
