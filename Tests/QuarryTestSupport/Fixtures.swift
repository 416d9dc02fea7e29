import Foundation

/// The data files the tests read, shipped in `Tests/Fixtures` with their origin and licence (its README).
public enum Fixtures {
    /// `Tests/Fixtures` in this checkout.
    public static var directory: URL {
        TestDatabase.repositoryRoot.appendingPathComponent("Tests/Fixtures")
    }

    /// A fixture file by its path below `Tests/Fixtures`, e.g. `medquad/medquad_valid.json`.
    public static func url(_ relativePath: String) -> URL {
        directory.appendingPathComponent(relativePath)
    }

    /// 200 MedQuAD question/answer records (`{instruction, input, output}`); answers are long passages.
    public static var medquad: URL { url("medquad/medquad_valid.json") }
    /// 200 Dolly open-QA records (`{instruction, input, output}`).
    public static var dolly: URL { url("dolly/dolly_valid.json") }
    /// Every JSON and JSON Lines fixture, in a stable order.
    public static var jsonFiles: [URL] {
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        return (enumerator?.allObjects as? [URL] ?? []).filter { ["json", "jsonl"].contains($0.pathExtension) }
            .sorted { $0.path < $1.path }
    }
}
