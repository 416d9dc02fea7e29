/// Cuts a JSON Lines file into records: one per non-blank line, numbered from 1. A line longer than
/// the limit is counted but not kept, so one huge line cannot exhaust memory.
struct JSONLinesScanner: RecordScanner {
    private var stream: ByteStream
    private let limit: Int
    private var line = 0

    init(path: String, limit: Int) throws(RecipeError) {
        stream = try ByteStream(path: path)
        self.limit = limit
    }

    mutating func next() throws(RecipeError) -> RawRecord? {
        while true {
            line += 1
            var bytes: [UInt8] = []
            var size = 0
            var blank = true
            var sawAny = false
            while let byte = try stream.next() {
                sawAny = true
                if byte == UInt8(ascii: "\n") { break }
                size += 1
                if byte != 0x20 && byte != 0x09 && byte != 0x0D { blank = false }
                if bytes.count <= limit { bytes.append(byte) }
            }
            if !sawAny { return nil }
            if bytes.last == 0x0D {
                bytes.removeLast()
                size -= 1
            }
            if blank { continue }
            return RawRecord(line: line, bytes: size > limit ? Array(bytes.prefix(RecordMapper.excerptBytes)) : bytes, size: size, oversized: size > limit)
        }
    }

    func close() { stream.close() }
}
