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
        while let next = try stream.nextLine(keeping: limit) {
            line += 1
            guard next.size <= limit else {
                return RawRecord(line: line, bytes: Array(next.bytes.prefix(RecordMapper.excerptBytes)), size: next.size, oversized: true)
            }
            var bytes = next.bytes
            if bytes.last == 0x0D { bytes.removeLast() }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            return RawRecord(line: line, bytes: bytes, size: bytes.count)
        }
        return nil
    }

    func close() { stream.close() }
}
