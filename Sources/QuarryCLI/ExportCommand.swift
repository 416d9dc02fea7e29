import ArgumentParser
import Foundation
import QuarryQueue
import QuarryRecipes

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a build's data files, report and manifest into a folder.",
        discussion: """
            Streams the build's tasks in key order (sorted once; 8 bytes a task in memory, rows read a page at a \
            time); rows come out in a fixed order, so two \
            builds with the same inputs, spec and seed export byte-identical data files. Works on a running build: \
            the manifest then says partial: true and unfinished rows say verdict "pending".
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The build id.")
    var build: Int

    @Option(help: "Folder to write into (created if missing; files in it are replaced).")
    var out: String

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        let manifest = try await database.withPool(role: "export", maxConnections: 2) { pool in
            try await BuildExporter(queue: TaskQueue(pool: pool, configuration: QueueConfiguration(schema: database.schema)))
                .export(buildID: build, to: URL(fileURLWithPath: out))
        }
        let files = manifest.files.map { "\($0.name) (\($0.lines) lines)" }.joined(separator: ", ")
        print("exported build \(manifest.build.id) '\(manifest.build.name)' [\(manifest.build.state)] to \(out): \(files), manifest.json")
        if manifest.partial { print("the build has not completed: the export is partial (manifest.json: \"partial\": true)") }
    }
}
