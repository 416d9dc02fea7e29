import Foundation

/// A Swift value that can be bound as a statement parameter.
public protocol PostgresEncodable: Sendable {
    /// The type OID sent with the parameter (`.unspecified` lets the server infer it).
    static var postgresType: PostgresTypeOID { get }
    static var postgresFormat: PostgresFormat { get }
    /// Appends the value's wire bytes in `postgresFormat`.
    func encode(into buffer: inout [UInt8])
}

/// An element type that can appear in an array parameter, sent in PostgreSQL's text array syntax.
public protocol PostgresArrayElement: PostgresEncodable {
    static var postgresArrayType: PostgresTypeOID { get }
    /// The element's text form inside `{…}`; quoting is added by the array encoder.
    var postgresArrayLiteral: String { get }
}

extension PostgresEncodable {
    public static var postgresFormat: PostgresFormat { .binary }
}

@inline(__always)
func appendBigEndian<T: FixedWidthInteger>(_ value: T, to buffer: inout [UInt8]) {
    withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
}

extension String: PostgresArrayElement {
    // Sent as text with an unspecified type so the server can coerce it to uuid, jsonb, timestamptz… by context.
    public static var postgresType: PostgresTypeOID { .unspecified }
    public static var postgresFormat: PostgresFormat { .text }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
    public static var postgresArrayType: PostgresTypeOID { .textArray }
    public var postgresArrayLiteral: String { self }
}

extension Substring: PostgresEncodable {
    public static var postgresType: PostgresTypeOID { .unspecified }
    public static var postgresFormat: PostgresFormat { .text }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
}

extension Int: PostgresArrayElement {
    public static var postgresType: PostgresTypeOID { .int8 }
    public func encode(into buffer: inout [UInt8]) { appendBigEndian(Int64(self), to: &buffer) }
    public static var postgresArrayType: PostgresTypeOID { .int8Array }
    public var postgresArrayLiteral: String { String(self) }
}

extension Int64: PostgresArrayElement {
    public static var postgresType: PostgresTypeOID { .int8 }
    public func encode(into buffer: inout [UInt8]) { appendBigEndian(self, to: &buffer) }
    public static var postgresArrayType: PostgresTypeOID { .int8Array }
    public var postgresArrayLiteral: String { String(self) }
}

extension Int32: PostgresArrayElement {
    public static var postgresType: PostgresTypeOID { .int4 }
    public func encode(into buffer: inout [UInt8]) { appendBigEndian(self, to: &buffer) }
    public static var postgresArrayType: PostgresTypeOID { .int4Array }
    public var postgresArrayLiteral: String { String(self) }
}

extension Double: PostgresArrayElement {
    public static var postgresType: PostgresTypeOID { .float8 }
    public func encode(into buffer: inout [UInt8]) { appendBigEndian(bitPattern, to: &buffer) }
    public static var postgresArrayType: PostgresTypeOID { .float8Array }
    public var postgresArrayLiteral: String {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return "\(self)"
    }
}

extension Bool: PostgresArrayElement {
    public static var postgresType: PostgresTypeOID { .bool }
    public func encode(into buffer: inout [UInt8]) { buffer.append(self ? 1 : 0) }
    public static var postgresArrayType: PostgresTypeOID { .boolArray }
    public var postgresArrayLiteral: String { self ? "t" : "f" }
}

extension UUID: PostgresArrayElement {
    public static var postgresType: PostgresTypeOID { .uuid }
    public func encode(into buffer: inout [UInt8]) {
        withUnsafeBytes(of: uuid) { buffer.append(contentsOf: $0) }
    }
    public static var postgresArrayType: PostgresTypeOID { .uuidArray }
    public var postgresArrayLiteral: String { uuidString }
}

/// Microseconds between 1970-01-01 and PostgreSQL's epoch, 2000-01-01.
let postgresEpochOffsetSeconds: Double = 946_684_800

extension Date: PostgresArrayElement {
    public static var postgresType: PostgresTypeOID { .timestamptz }
    public func encode(into buffer: inout [UInt8]) {
        let micros = ((timeIntervalSince1970 - postgresEpochOffsetSeconds) * 1_000_000).rounded()
        appendBigEndian(Int64(micros), to: &buffer)
    }
    public static var postgresArrayType: PostgresTypeOID { .timestamptzArray }
    public var postgresArrayLiteral: String {
        // ISO 8601 with microseconds, in UTC, which timestamptz's input accepts.
        let seconds = timeIntervalSince1970
        let whole = floor(seconds)
        let micros = Int(((seconds - whole) * 1_000_000).rounded())
        var tm = tm()
        var t = time_t(whole)
        gmtime_r(&t, &tm)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1,
            Int(tm.tm_mday), Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec), micros)
    }
}

/// Binary data, bound as `bytea`.
public struct PostgresBytes: PostgresEncodable, Hashable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ data: Data) { self.bytes = [UInt8](data) }
    public static var postgresType: PostgresTypeOID { .bytea }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: bytes) }
}

extension Data: PostgresEncodable {
    public static var postgresType: PostgresTypeOID { .bytea }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: self) }
}

/// A Codable value bound as `jsonb` (encoded with sorted keys, so equal values give equal text).
public struct PostgresJSON<Value: Codable & Sendable>: PostgresEncodable {
    public var value: Value
    public init(_ value: Value) { self.value = value }
    public static var postgresType: PostgresTypeOID { .jsonb }
    public func encode(into buffer: inout [UInt8]) {
        buffer.append(1)  // jsonb binary format version
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a Codable value only fails for non-finite floats; send null rather than crash.
        buffer.append(contentsOf: (try? encoder.encode(value)) ?? Data("null".utf8))
    }
}

/// JSON text already serialised, bound as `jsonb`.
public struct PostgresRawJSON: PostgresEncodable, Hashable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { self.bytes = Array(text.utf8) }
    public static var postgresType: PostgresTypeOID { .jsonb }
    public func encode(into buffer: inout [UInt8]) {
        buffer.append(1)  // jsonb binary format version
        buffer.append(contentsOf: bytes)
    }
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: PostgresTypeOID { Element.postgresArrayType }
    public static var postgresFormat: PostgresFormat { .text }
    public func encode(into buffer: inout [UInt8]) {
        PostgresArrayLiteral.encode(self.map { Optional($0.postgresArrayLiteral) }, into: &buffer)
    }
}

/// An array parameter whose elements may be NULL.
public struct PostgresNullableArray<Element: PostgresArrayElement>: PostgresEncodable {
    public var elements: [Element?]
    public init(_ elements: [Element?]) { self.elements = elements }
    public static var postgresType: PostgresTypeOID { Element.postgresArrayType }
    public static var postgresFormat: PostgresFormat { .text }
    public func encode(into buffer: inout [UInt8]) {
        PostgresArrayLiteral.encode(elements.map { $0?.postgresArrayLiteral }, into: &buffer)
    }
}

/// PostgreSQL's text array syntax: every element double-quoted, `"` and `\` backslash-escaped, NULL bare.
enum PostgresArrayLiteral {
    static func encode(_ elements: [String?], into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "{"))
        for (index, element) in elements.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            guard let element else {
                buffer.append(contentsOf: "NULL".utf8)
                continue
            }
            buffer.append(UInt8(ascii: "\""))
            for byte in element.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { buffer.append(UInt8(ascii: "\\")) }
                buffer.append(byte)
            }
            buffer.append(UInt8(ascii: "\""))
        }
        buffer.append(UInt8(ascii: "}"))
    }
}
