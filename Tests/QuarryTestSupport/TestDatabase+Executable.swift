import Foundation

extension TestDatabase {
    /// The `quarry` executable built next to the test bundle.
    public static var quarryExecutable: String {
        if let explicit = ProcessInfo.processInfo.environment["QUARRY_BIN"] { return explicit }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("quarry").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return repositoryRoot.appendingPathComponent(".build/debug/quarry").path
    }

    /// The repository's migrations folder.
    public static var migrationsDirectory: URL { repositoryRoot.appendingPathComponent("migrations") }
}
