/// Cuts a file holding one JSON array into its elements without parsing them: it follows strings,
/// escapes and bracket depth only, so memory stays at one element (and at most the limit of that).
/// Each element is numbered by the line it starts on. Elements are parsed (and rejected) one by one
/// later, so one malformed element does not cost the others.
struct JSONArrayScanner: RecordScanner {
    private enum State { case start, beforeElement, afterElement, afterClose, unclosed, done }

    private var stream: ByteStream
    private let path: String
    private let limit: Int
    private var line = 1
    private var state = State.start
    private var elements = 0

    init(path: String, limit: Int) throws(RecipeError) {
        stream = try ByteStream(path: path)
        self.limit = limit
        self.path = path
    }

    mutating func next() throws(RecipeError) -> RawRecord? {
        switch state {
        case .done:
            return nil
        case .start:
            guard let first = try skipWhitespace() else {
                throw RecipeError(.invalidInput, "the file is empty (a json input holds one array of records)", file: path, line: line, field: "input.format")
            }
            guard first == UInt8(ascii: "[") else {
                throw RecipeError(
                    .invalidInput,
                    "expected '[' at the start: a json input holds one array of records (use format: jsonl for one record per line)",
                    file: path, line: line, field: "input.format")
            }
            _ = try stream.next()
            state = .beforeElement
            return try next()
        case .afterClose:
            state = .done
            return try trailingContent()
        case .unclosed:
            state = .done
            return RawRecord(line: line, bytes: [], size: 0, structuralProblem: "the file ends before the array's closing ']'")
        case .afterElement:
            // The element scan stopped at ',' or ']' and consumed it; see `element()`.
            state = .beforeElement
            return try next()
        case .beforeElement:
            return try element()
        }
    }

    /// Scans one element up to the ',' or ']' that ends it.
    private mutating func element() throws(RecipeError) -> RawRecord? {
        guard let first = try skipWhitespace() else {
            state = .done
            return RawRecord(line: line, bytes: [], size: 0, structuralProblem: "the file ends before the array's closing ']'")
        }
        let startLine = line
        if first == UInt8(ascii: "]") {
            _ = try stream.next()
            state = .afterClose
            if elements > 0 {
                // "[…, ]": a trailing comma left an empty element.
                return RawRecord(line: startLine, bytes: [], size: 0, structuralProblem: "a stray comma before the closing ']'")
            }
            return try next()
        }
        if first == UInt8(ascii: ",") {
            _ = try stream.next()
            return RawRecord(line: startLine, bytes: [], size: 0, structuralProblem: "an empty element (two commas in a row)")
        }
        var bytes: [UInt8] = []
        var size = 0
        var depth = 0
        var inString = false
        var escaped = false
        while let byte = try stream.next() {
            if byte == UInt8(ascii: "\n") { line += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""):
                    inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 && byte == UInt8(ascii: "]") {
                        state = .afterClose
                        elements += 1
                        return makeRecord(startLine, bytes, size)
                    }
                    // An unbalanced '}' stays in the element, which will then fail to parse.
                    if depth > 0 { depth -= 1 }
                case UInt8(ascii: ",") where depth == 0:
                    state = .afterElement
                    elements += 1
                    return makeRecord(startLine, bytes, size)
                default:
                    break
                }
            }
            size += 1
            if bytes.count <= limit { bytes.append(byte) }
        }
        elements += 1
        var record = makeRecord(startLine, bytes, size)
        if depth > 0 || inString {
            record.unterminated = true
            state = .done
        } else {
            // The element is whole but the array never closes: report that once, after it.
            state = .unclosed
        }
        return record
    }

    private func makeRecord(_ line: Int, _ bytes: [UInt8], _ size: Int) -> RawRecord {
        var trimmed = bytes
        while let last = trimmed.last, last == 0x20 || last == 0x0A || last == 0x0D || last == 0x09 { trimmed.removeLast() }
        let oversized = size > limit
        return RawRecord(line: line, bytes: oversized ? Array(trimmed.prefix(RecordMapper.excerptBytes)) : trimmed, size: oversized ? size : trimmed.count, oversized: oversized)
    }

    /// After the closing ']' only whitespace may follow; anything else is reported once, at its line.
    private mutating func trailingContent() throws(RecipeError) -> RawRecord? {
        guard try skipWhitespace() != nil else { return nil }
        let at = line
        var excerpt: [UInt8] = []
        while let byte = try stream.next(), excerpt.count < RecordMapper.excerptBytes { excerpt.append(byte) }
        return RawRecord(line: at, bytes: excerpt, size: excerpt.count, structuralProblem: "unexpected text after the array's closing ']'")
    }

    /// Skips whitespace (counting lines) and returns the next byte without consuming it.
    private mutating func skipWhitespace() throws(RecipeError) -> UInt8? {
        while let byte = try stream.peek() {
            switch byte {
            case 0x20, 0x09, 0x0D:
                _ = try stream.next()
            case 0x0A:
                line += 1
                _ = try stream.next()
            default:
                return byte
            }
        }
        return nil
    }

    func close() { stream.close() }
}
