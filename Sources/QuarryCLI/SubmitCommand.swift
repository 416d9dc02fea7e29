import ArgumentParser
import Foundation
import QuarryLLM
import QuarryQueue
import QuarryRecipes

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Check a build spec and its input, load the records and start the build.",
        discussion: """
            Everything is checked before a build exists: the recipe, its parameters, roles and their endpoints, \
            prompt overrides and the input file; errors name the file, line and field. Records are then streamed \
            from the input: good ones are loaded with COPY, bad ones (malformed JSON, a missing mapped field, \
            invalid UTF-8, over input.max_record_bytes) are stored as rejects and listed with their line numbers. \
            Then each endpoint the spec uses is checked (as `quarry endpoints check` does: reachable, key \
            accepted, model served) unless --no-preflight; a failure is one line naming the endpoint, its URL, \
            the status and the server's message, and nothing is created. \
            Prints the build id; run `quarry coordinator` and workers to work it, `quarry export` to get the data, \
            `quarry wait` to block until it ends.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The build spec (YAML).")
    var spec: String

    @Option(help: "Endpoints file the spec's roles are checked against (default: QUARRY_ENDPOINTS or quarry.endpoints.yaml).")
    var endpoints: String?

    @Flag(help: "Do not check endpoint names (when the workers' endpoints file is not on this machine).")
    var skipEndpointCheck = false

    @Flag(help: "Do not check that the spec's endpoints answer (reachable, key accepted, model served) before submitting.")
    var noPreflight = false

    @Flag(help: "Check the spec and read every record, but create nothing.")
    var dryRun = false

    @Flag(help: "Print only the build id (the report goes to standard error).")
    var quiet = false

    func run() async throws {
        LogSetup.bootstrap(level: database.logLevel)
        var registry: EndpointRegistry?
        if !skipEndpointCheck {
            registry = try EndpointRegistry.load(path: EndpointRegistry.configuredPath(explicit: endpoints) ?? EndpointRegistry.defaultFileName)
        }
        let plan = try BuildSpecParser(file: spec, endpoints: registry).parseFile()
        if let registry, !noPreflight {
            let used = Set(plan.spec.endpoints.values).sorted().compactMap { registry[$0] }
            let failures = try await Preflight.run(used).filter { !$0.passed }
            if !failures.isEmpty {
                for failure in failures { FileHandle.standardError.write(Data(("error: " + failure.line + "\n").utf8)) }
                FileHandle.standardError.write(
                    Data("nothing was submitted; fix the endpoint (or pass --no-preflight to submit anyway)\n".utf8))
                throw ExitCode(1)
            }
        }
        let report: SubmitReport
        let progress = LoadingProgress(path: plan.spec.input.path)
        if dryRun {
            report = try await BuildSubmitter(queue: nil).submit(plan, progress: progress.report)
        } else {
            report = try await database.withPool(role: "submit", maxConnections: 2) { pool in
                try await BuildSubmitter(queue: TaskQueue(pool: pool, configuration: QueueConfiguration(schema: database.schema)))
                    .submit(plan, progress: progress.report)
            }
        }
        if quiet {
            FileHandle.standardError.write(Data((report.text + "\n").utf8))
            if let id = report.buildID { print(id) }
        } else {
            print(report.text)
        }
    }
}
