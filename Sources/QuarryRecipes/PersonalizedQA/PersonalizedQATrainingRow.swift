import Foundation

/// A line of `pairs.jsonl` (`negative` nil) or `triplets.jsonl`, in sentence-transformers' column order:
/// anchor, positive, negative. Its JSON is written by hand, because export encoders sort keys and the
/// order is the point.
public struct PersonalizedQATrainingRow: Sendable, Equatable, Decodable {
    public var anchor: String
    public var positive: String
    public var negative: String?

    public init(anchor: String, positive: String, negative: String? = nil) {
        self.anchor = anchor
        self.positive = positive
        self.negative = negative
    }

    /// One JSON object, keys in column order, no newline.
    public func jsonLine() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var line = Array("{\"anchor\":".utf8) + Array(try encoder.encode(anchor))
        line += Array(",\"positive\":".utf8) + Array(try encoder.encode(positive))
        if let negative { line += Array(",\"negative\":".utf8) + Array(try encoder.encode(negative)) }
        line.append(UInt8(ascii: "}"))
        return line
    }
}
