import QuarryCLI

/// The `quarry` executable: everything it does is a subcommand in QuarryCLI.
@main
enum QuarryMain {
    static func main() async {
        MemoryTuning.apply()
        await QuarryCommand.main()
    }
}
