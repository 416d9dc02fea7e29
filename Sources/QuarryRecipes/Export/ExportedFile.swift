/// A file an export wrote, as the manifest lists it.
public struct ExportedFile: Sendable, Equatable, Codable {
    public var name: String
    /// Hex SHA-256 of the file's bytes.
    public var sha256: String
    public var bytes: Int
    public var lines: Int
    /// Whether the file depends only on the build's inputs, spec and seed — two such builds export it
    /// byte for byte the same — or also on run-specific things (task ids, timestamps).
    public var deterministic: Bool

    public init(name: String, sha256: String, bytes: Int, lines: Int, deterministic: Bool) {
        self.name = name
        self.sha256 = sha256
        self.bytes = bytes
        self.lines = lines
        self.deterministic = deterministic
    }
}
