import Dispatch
import QuarryCLI

/// The `quarry` executable: everything it does is a subcommand in QuarryCLI.
///
/// The main thread only waits for the command. An `async` main parks it in `dispatch_main`, and valgrind
/// (3.19 to 3.24) crashes when a thread starts while the main thread sits in that call's signal wait,
/// which made the worker impossible to measure with callgrind (`scripts/instructions-per-task.sh`).
/// Nothing here uses the main actor or the main queue.
@main
enum QuarryMain {
    static func main() {
        MemoryTuning.apply()
        StandardOutput.flushEachLine()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await QuarryCommand.main()
            done.signal()
        }
        done.wait()
    }
}
