import Foundation
import QuarryLLM

/// Writes one export file through a buffer, hashing as it goes, so files of any size cost constant
/// memory and their SHA-256 needs no second read.
public final class ExportFileWriter {
    static let bufferSize = 1 << 16

    public let name: String
    let deterministic: Bool
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var hasher = SHA256()
    private var bytes = 0
    private var lines = 0

    init(directory: URL, name: String, deterministic: Bool) throws(RecipeError) {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: url.path, contents: nil), let handle = FileHandle(forWritingAtPath: url.path) else {
            throw RecipeError(.exportFailed, "cannot create the file", file: url.path)
        }
        self.name = name
        self.deterministic = deterministic
        self.handle = handle
        buffer.reserveCapacity(Self.bufferSize)
    }

    /// Encoders for export rows: sorted keys (stable bytes across processes), no escaped slashes.
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Appends `value` as one line of JSON.
    public func writeLine(_ value: some Encodable, encoder: JSONEncoder) throws {
        try write(Array(encoder.encode(value)))
        try write([0x0A])
        lines += 1
    }

    /// Appends `json`, one JSON value already encoded (e.g. with keys in an order a consumer expects), as
    /// one line.
    public func writeLine(json: [UInt8]) throws {
        try write(json)
        try write([0x0A])
        lines += 1
    }

    /// Appends `value` as a whole (pretty-printed) JSON document and a final newline.
    public func writeDocument(_ value: some Encodable) throws {
        let document = Array(try Self.encoder(pretty: true).encode(value))
        try write(document)
        try write([0x0A])
        lines += document.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    }

    /// Appends `text` as it is (a dataset card, a README): lines are counted by its newlines.
    public func writeText(_ text: String) throws {
        let bytes = Array(text.utf8)
        try write(bytes)
        lines += bytes.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
    }

    private func write(_ data: [UInt8]) throws {
        buffer.append(contentsOf: data)
        bytes += data.count
        if buffer.count >= Self.bufferSize { try drain() }
    }

    private func drain() throws {
        guard !buffer.isEmpty else { return }
        hasher.update(buffer)
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file; returns its manifest entry.
    func finish() throws -> ExportedFile {
        try drain()
        try handle.close()
        return ExportedFile(name: name, sha256: SHA256.hex(hasher.finalize()), bytes: bytes, lines: lines, deterministic: deterministic)
    }
}
