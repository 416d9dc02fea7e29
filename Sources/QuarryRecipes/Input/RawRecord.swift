/// One record's bytes as cut from an input file, before any parsing.
public struct RawRecord: Sendable, Equatable {
    /// 1-based line of the file where the record starts.
    public var line: Int
    /// 1-based position of the record in the input (set by `RecordReader`): what identifies it, since
    /// several elements of a JSON array can start on one line.
    public var position: Int = 0
    /// The record's bytes; only a prefix (for the reject excerpt) when `oversized`.
    public var bytes: [UInt8]
    /// The record's full size in bytes.
    public var size: Int
    /// Bigger than the limit: `bytes` was not kept beyond the limit, and the record will be rejected.
    public var oversized: Bool
    /// A JSON value the file ends inside of (unbalanced brackets or an unclosed string).
    public var unterminated: Bool
    /// Set for what is not a record but a fault in the file's structure at `line` (text after the
    /// array's closing bracket, a stray comma): reported as a reject like a bad record.
    public var structuralProblem: String?

    public init(line: Int, bytes: [UInt8], size: Int, oversized: Bool = false, unterminated: Bool = false, structuralProblem: String? = nil) {
        self.line = line
        self.bytes = bytes
        self.size = size
        self.oversized = oversized
        self.unterminated = unterminated
        self.structuralProblem = structuralProblem
    }
}
