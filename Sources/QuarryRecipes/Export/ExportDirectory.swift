import Foundation

/// The folder an export writes into, and the files written so far (for the manifest).
public final class ExportDirectory {
    public let url: URL
    public private(set) var files: [ExportedFile] = []

    init(url: URL) throws(RecipeError) {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw RecipeError(.exportFailed, "cannot create the output folder: \(error)", file: url.path)
        }
        self.url = url
    }

    /// A new file in the folder. `deterministic`: see `ExportedFile.deterministic`.
    public func create(_ name: String, deterministic: Bool) throws(RecipeError) -> ExportFileWriter {
        try ExportFileWriter(directory: url, name: name, deterministic: deterministic)
    }

    /// Closes `writer`, recording its entry.
    public func finish(_ writer: ExportFileWriter) throws {
        files.append(try writer.finish())
    }
}
