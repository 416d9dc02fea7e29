import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that measure Quarry beside a baseline run on the same machine in the same go.",
        discussion: "Figures are printed as ratios against the baseline; the machine is shared and noisy, so each phase runs several times.",
        subcommands: [BenchCopyCommand.self, BenchQueueCommand.self, BenchLLMCommand.self, BenchBuildCommand.self, BenchPQACommand.self, BenchStormCommand.self])
}
