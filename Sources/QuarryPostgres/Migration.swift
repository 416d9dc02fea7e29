import Foundation

/// One schema change: a file `NNNN_name.sql` in the migrations folder.
public struct Migration: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The file name it came from (`0001_queue.sql`).
    public var fileName: String { String(format: "%04d_%@.sql", version, name) }

    /// Reads every `NNNN_name.sql` in `directory`, in version order. Other files are ignored; two files
    /// with the same number are an error.
    public static func load(from directory: URL) throws -> [Migration] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError(code: .unreadable, message: "cannot read migrations folder \(directory.path): \(error.localizedDescription)")
        }
        var migrations: [Migration] = []
        for file in files.sorted() where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else {
                throw MigrationError(
                    code: .badFileName,
                    message: "migration file \(file) is not named NNNN_name.sql", file: file)
            }
            let path = directory.appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: path.path), let sql = String(data: data, encoding: .utf8) else {
                throw MigrationError(code: .unreadable, message: "cannot read migration \(path.path) as UTF-8", file: file)
            }
            if let clash = migrations.first(where: { $0.version == version }) {
                throw MigrationError(
                    code: .badFileName, message: "migrations \(clash.fileName) and \(file) share version \(version)", file: file)
            }
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        return migrations.sorted { $0.version < $1.version }
    }
}

/// Why migrating failed.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unreadable
        case badFileName = "bad_file_name"
        /// A file that was already applied has different contents now.
        case edited
        /// A migration's SQL failed; it was rolled back.
        case failed
    }
    public var code: Code
    public var message: String
    public var file: String?

    public init(code: Code, message: String, file: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
    }

    public var description: String { "migration error [\(code.rawValue)]: \(message)" }
}
