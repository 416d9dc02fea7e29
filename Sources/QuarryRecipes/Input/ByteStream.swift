import Foundation

/// A file read in fixed-size chunks and handed out a byte at a time, so inputs of any size are scanned
/// in constant memory.
struct ByteStream {
    static let chunkSize = 1 << 18

    private let handle: FileHandle
    private let path: String
    private var buffer: [UInt8] = []
    private var index = 0
    private var finished = false
    private var atStart = true

    init(path: String) throws(RecipeError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RecipeError(.unreadableInput, "the input file does not exist", file: path, field: "input.path")
        }
        guard !isDirectory.boolValue else {
            throw RecipeError(.unreadableInput, "the input path is a directory, not a file", file: path, field: "input.path")
        }
        // A device, FIFO or socket (/dev/zero, a pipe) would never end or end at random: regular files only.
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw RecipeError(.unreadableInput, "the input is not a regular file (a device, pipe or socket?)", file: path, field: "input.path")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw RecipeError(.unreadableInput, "cannot open the input file for reading (permissions?)", file: path, field: "input.path")
        }
        self.handle = handle
        self.path = path
    }

    /// The next byte, or nil at the end of the file.
    @inline(__always)
    mutating func next() throws(RecipeError) -> UInt8? {
        if index < buffer.count {
            defer { index += 1 }
            return buffer[index]
        }
        guard try refill() else { return nil }
        defer { index += 1 }
        return buffer[index]
    }

    /// The next byte without consuming it.
    mutating func peek() throws(RecipeError) -> UInt8? {
        if index < buffer.count { return buffer[index] }
        guard try refill() else { return nil }
        return buffer[index]
    }

    /// The bytes up to the next newline (not included), keeping at most `limit + 1` of them, and the
    /// line's full length; nil at the end of the file. Searches whole chunks rather than byte by byte.
    mutating func nextLine(keeping limit: Int) throws(RecipeError) -> (bytes: [UInt8], size: Int)? {
        var bytes: [UInt8] = []
        var size = 0
        var sawAny = false
        while true {
            if index >= buffer.count {
                guard try refill() else { return sawAny ? (bytes, size) : nil }
            }
            sawAny = true
            let end = buffer[index...].firstIndex(of: 0x0A)
            let stop = end ?? buffer.count
            size += stop - index
            let room = limit + 1 - bytes.count
            if room > 0 { bytes.append(contentsOf: buffer[index..<min(stop, index + room)]) }
            if let end {
                index = end + 1
                return (bytes, size)
            }
            index = buffer.count
        }
    }

    private mutating func refill() throws(RecipeError) -> Bool {
        guard !finished else { return false }
        let data: Data?
        do {
            data = try handle.read(upToCount: Self.chunkSize)
        } catch {
            throw RecipeError(.unreadableInput, "reading failed: \(error)", file: path, field: "input.path")
        }
        guard let data, !data.isEmpty else {
            finished = true
            try? handle.close()
            return false
        }
        buffer = [UInt8](data)
        index = 0
        // A UTF-8 byte order mark at the start of the file is not content, in either format.
        if atStart {
            atStart = false
            if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
            if index >= buffer.count { return try refill() }
        }
        return true
    }

    func close() {
        try? handle.close()
    }
}
