/// A strict RFC 8259 parser from UTF-8 bytes straight to `JSONValue`.
///
/// Why not `JSONDecoder`: every LLM response and every simulated request is a JSON document, and decoding
/// them through `Codable` containers took about an eighth of the client's CPU and a quarter of the
/// simulator's at thousands of requests per second (`perf`, `quarry bench llm`). This parser makes one
/// pass over the bytes, builds strings without escapes with a single validated copy, and never goes through
/// `Data` or existential containers.
///
/// Integers without a fraction or exponent that fit in `Int` become `.int`; every other number `.double`.
/// Strings must be valid UTF-8; an unpaired `\u` surrogate becomes U+FFFD. Nesting is limited to
/// `maximumDepth` levels, so hostile input cannot exhaust the stack. A key given twice keeps its last value.
public struct JSONParser: ~Copyable {
    public static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Parses one JSON value that makes up the whole of `bytes` (surrounding whitespace allowed).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        guard parser.position < bytes.count else {
            throw JSONParseError(code: .empty, offset: 0, message: "the text is empty")
        }
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.position == bytes.count else {
            throw parser.error(.trailingCharacters, "unexpected \(parser.describeCurrent()) after the JSON value")
        }
        return value
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        try parse(bytes.bindMemory(to: UInt8.self))
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) in try parse(buffer) }
        }
        return try result.get()
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        let result: Result<JSONValue, JSONParseError> = text.withUTF8 { buffer in
            Result { () throws(JSONParseError) in try parse(buffer) }
        }
        return try result.get()
    }

    // MARK: Values

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard position < bytes.count else { throw error(.unexpectedEnd, "the text ends where a value should start") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            return try parseObject()
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw error(.unexpectedCharacter, "expected a value, found \(describeCurrent())")
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        position += 1  // {
        // Growing a dictionary from empty rehashes it at 1, 2, 4 and 8 members; API objects mostly have fewer
        // than a dozen, so one allocation up front is cheaper.
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object([:])
        }
        var members: [String: JSONValue] = Dictionary(minimumCapacity: 8)
        while true {
            skipWhitespace()
            guard position < bytes.count else { throw error(.unexpectedEnd, "the text ends inside an object") }
            guard bytes[position] == UInt8(ascii: "\"") else {
                throw error(.unexpectedCharacter, "expected a quoted key, found \(describeCurrent())")
            }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count else { throw error(.unexpectedEnd, "the text ends after a key") }
            guard bytes[position] == UInt8(ascii: ":") else {
                throw error(.unexpectedCharacter, "expected ':' after a key, found \(describeCurrent())")
            }
            position += 1
            skipWhitespace()
            members[key] = try parseValue()
            skipWhitespace()
            guard position < bytes.count else { throw error(.unexpectedEnd, "the text ends inside an object") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                return .object(members)
            default:
                throw error(.unexpectedCharacter, "expected ',' or '}' in an object, found \(describeCurrent())")
            }
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw error(.unexpectedEnd, "the text ends inside an array") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return .array(elements)
            default:
                throw error(.unexpectedCharacter, "expected ',' or ']' in an array, found \(describeCurrent())")
            }
        }
    }

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw error(.tooDeep, "nesting deeper than \(Self.maximumDepth) levels")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        guard position + count <= bytes.count else {
            throw error(.unexpectedEnd, "the text ends inside '\(literal)'")
        }
        for index in 0..<count where bytes[position + index] != start[index] {
            position += index
            throw error(.unexpectedCharacter, "expected '\(literal)', found \(describeCurrent())")
        }
        position += count
    }

    // MARK: Strings

    /// Reads a string starting at its opening quote; leaves `position` after the closing quote.
    private mutating func parseString() throws(JSONParseError) -> String {
        let start = position + 1
        var index = start
        // Fast path: no escapes. Scan to the closing quote, then validate and copy once.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
                guard let string = String(validating: raw, as: UTF8.self) else {
                    position = start
                    throw error(.invalidUTF8, "a string is not valid UTF-8")
                }
                position = index + 1
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 {
                position = index
                throw error(.controlCharacterInString, "an unescaped control character (0x\(String(byte, radix: 16))) in a string")
            }
            index += 1
        }
        guard index < bytes.count else {
            position = start - 1
            throw error(.unexpectedEnd, "a string is not closed")
        }
        return try parseEscapedString(start: start, firstEscape: index)
    }

    private mutating func parseEscapedString(start: Int, firstEscape: Int) throws(JSONParseError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(firstEscape - start + 32)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<firstEscape]))
        var index = firstEscape
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: out, as: UTF8.self) else {
                    position = start
                    throw error(.invalidUTF8, "a string is not valid UTF-8")
                }
                position = index + 1
                return string
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { break }
                switch bytes[index] {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4(at: index + 1) else {
                        position = index - 1
                        throw error(.invalidEscape, "a \\u escape needs four hex digits")
                    }
                    index += 4
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate: a low one must follow as another \u escape to make one scalar.
                        if index + 6 < bytes.count, bytes[index + 1] == UInt8(ascii: "\\"), bytes[index + 2] == UInt8(ascii: "u"),
                            let low = hex4(at: index + 3), (0xDC00..<0xE000).contains(low)
                        {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            index += 6
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        scalar = 0xFFFD
                    }
                    Self.appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &out)
                default:
                    position = index - 1
                    throw error(.invalidEscape, "unknown escape '\\\(Self.printable(bytes[index]))' in a string")
                }
                index += 1
            default:
                if byte < 0x20 {
                    position = index
                    throw error(.controlCharacterInString, "an unescaped control character (0x\(String(byte, radix: 16))) in a string")
                }
                out.append(byte)
                index += 1
            }
        }
        position = start - 1
        throw error(.unexpectedEnd, "a string is not closed")
    }

    /// The four hex digits at `offset` as a number; nil when they are missing or not hex.
    private func hex4(at offset: Int) -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for index in offset..<(offset + 4) {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    private static func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        let value = scalar.value
        switch value {
        case 0..<0x80:
            out.append(UInt8(value))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (value >> 6)))
            out.append(UInt8(0x80 | (value & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (value >> 12)))
            out.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (value & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (value >> 18)))
            out.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (value & 0x3F)))
        }
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        var index = position
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        // Integer part: 0, or a non-zero digit followed by digits.
        guard index < bytes.count, Self.isDigit(bytes[index]) else {
            position = index
            throw error(.invalidNumber, "a number needs a digit after '-'")
        }
        var magnitude: UInt64 = 0
        var overflow = false
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, Self.isDigit(bytes[index]) {
                position = start
                throw error(.invalidNumber, "a number may not have a leading zero")
            }
        } else {
            while index < bytes.count, Self.isDigit(bytes[index]) {
                let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
                overflow = overflow || o1 || o2
                magnitude = sum
                index += 1
            }
        }
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard index < bytes.count, Self.isDigit(bytes[index]) else {
                position = index
                throw error(.invalidNumber, "a number needs a digit after '.'")
            }
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, Self.isDigit(bytes[index]) else {
                position = index
                throw error(.invalidNumber, "a number needs a digit in its exponent")
            }
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        position = index
        if integral, !overflow {
            if negative, magnitude <= UInt64(Int.max) + 1 {
                return .int(magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude))
            }
            if !negative, magnitude <= UInt64(Int.max) {
                return .int(Int(magnitude))
            }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text) else {
            position = start
            throw error(.invalidNumber, "'\(text)' is not a number")
        }
        return .double(value)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    // MARK: Helpers

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private func error(_ code: JSONParseError.Code, _ message: String) -> JSONParseError {
        JSONParseError(code: code, offset: position, message: message)
    }

    private func describeCurrent() -> String {
        guard position < bytes.count else { return "the end of the text" }
        return "'\(Self.printable(bytes[position]))'"
    }

    private static func printable(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "0x" + String(byte, radix: 16)
    }
}
