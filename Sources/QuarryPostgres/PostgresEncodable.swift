import Foundation

/// A Swift value that can be bound as a statement parameter.
public protocol PostgresEncodable: Sendable {
    /// The type OID sent with the parameter (`.unspecified` lets the server infer it).
    static var postgresType: PostgresTypeOID { get }
    static var postgresFormat: PostgresFormat { get }
    /// Appends the value's wire bytes in `postgresFormat`.
    func encode(into buffer: inout [UInt8])
}

/// An element type that can appear in an array parameter. Arrays go in PostgreSQL's binary array format:
/// each element is its own binary encoding (`encode(into:)`) behind a length, so nothing is formatted as
/// text, quoted or escaped (the claim and settle statements send thousands of ids and outputs at a time).
public protocol PostgresArrayElement: PostgresEncodable {
    static var postgresArrayType: PostgresTypeOID { get }
    /// The element type named in the binary array header (the server checks it against the array's).
    static var postgresElementType: PostgresTypeOID { get }
    /// The element's text form inside `{…}` (for SQL text that cannot bind parameters).
    var postgresArrayLiteral: String { get }
    /// Appends `elements` as one binary array. The default appends element by element; `Int` writes its
    /// fixed-width elements in one pass (the settle statement sends two such arrays per batch).
    static func encodeArray(_ elements: [Self], into buffer: inout [UInt8])
}

extension PostgresArrayElement {
    public static var postgresElementType: PostgresTypeOID { postgresType }

    @inlinable
    public static func encodeArray(_ elements: [Self], into buffer: inout [UInt8]) {
        buffer.reserveCapacity(buffer.count + 20 + elements.count * (4 + MemoryLayout<Self>.size))
        PostgresBinaryArray.encode(count: elements.count, elementType: postgresElementType, into: &buffer) { index, buffer in
            elements[index].encode(into: &buffer)
            return true
        }
    }
}

extension PostgresEncodable {
    public static var postgresFormat: PostgresFormat { .binary }
}

@inlinable @inline(__always)
func appendBigEndian<T: FixedWidthInteger>(_ value: T, to buffer: inout [UInt8]) {
    // Byte by byte, inlined: appending the value's bytes as a buffer went through the generic
    // `append(contentsOf:)`, several times per array element of every statement's parameters.
    var shift = T.bitWidth - 8
    while shift >= 0 {
        buffer.append(UInt8(truncatingIfNeeded: value >> shift))
        shift -= 8
    }
}

extension String: PostgresArrayElement {
    // Sent as text with an unspecified type so the server can coerce it to uuid, jsonb, timestamptz… by context.
    public static var postgresType: PostgresTypeOID { .unspecified }
    public static var postgresFormat: PostgresFormat { .text }
    @inlinable public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
    public static var postgresArrayType: PostgresTypeOID { .textArray }
    public static var postgresElementType: PostgresTypeOID { .text }
    public var postgresArrayLiteral: String { self }
}

extension Substring: PostgresEncodable {
    public static var postgresType: PostgresTypeOID { .unspecified }
    public static var postgresFormat: PostgresFormat { .text }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
}

extension Int: PostgresArrayElement {
    public static var postgresType: PostgresTypeOID { .int8 }
    @inlinable public func encode(into buffer: inout [UInt8]) { appendBigEndian(Int64(self), to: &buffer) }
    public static var postgresArrayType: PostgresTypeOID { .int8Array }
    public var postgresArrayLiteral: String { String(self) }

    /// The header, then each element as its length (8) and its 8 bytes, written into space made once.
    @inlinable
    public static func encodeArray(_ elements: [Int], into buffer: inout [UInt8]) {
        PostgresBinaryArray.encodeHeader(count: elements.count, elementType: postgresElementType, into: &buffer)
        guard !elements.isEmpty else { return }
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: elements.count * 12))
        buffer.withUnsafeMutableBytes { raw in
            var offset = start
            for element in elements {
                raw.storeBytes(of: UInt32(8).bigEndian, toByteOffset: offset, as: UInt32.self)
                raw.storeBytes(of: UInt64(bitPattern: Int64(element)).bigEndian, toByteOffset: offset + 4, as: UInt64.self)
                offset += 12
            }
        }
    }
}

extension Int64: PostgresArrayElement {
    public static var postgresType: PostgresTypeOID { .int8 }
    @inlinable public func encode(into buffer: inout [UInt8]) { appendBigEndian(self, to: &buffer) }
    public static var postgresArrayType: PostgresTypeOID { .int8Array }
    public var postgresArrayLiteral: String { String(self) }
}

extension Int32: PostgresArrayElement {
    public static var postgresType: PostgresTypeOID { .int4 }
    @inlinable public func encode(into buffer: inout [UInt8]) { appendBigEndian(self, to: &buffer) }
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
    @inlinable
    public func encode(into buffer: inout [UInt8]) { Element.encodeArray(self, into: &buffer) }
}

/// An array parameter whose elements may be NULL.
public struct PostgresNullableArray<Element: PostgresArrayElement>: PostgresEncodable {
    public var elements: [Element?]
    public init(_ elements: [Element?]) { self.elements = elements }
    public static var postgresType: PostgresTypeOID { Element.postgresArrayType }
    @inlinable
    public func encode(into buffer: inout [UInt8]) {
        buffer.reserveCapacity(buffer.count + 20 + elements.count * (4 + MemoryLayout<Element>.size))
        PostgresBinaryArray.encode(count: elements.count, elementType: Element.postgresElementType, into: &buffer) { index, buffer in
            guard let element = elements[index] else { return false }
            element.encode(into: &buffer)
            return true
        }
    }
}

/// PostgreSQL's binary format for a one-dimensional array (`array_recv`): the number of dimensions, a
/// has-NULLs flag, the element type, the length and lower bound (1), then each element as a 4-byte length
/// (-1 for NULL) and its bytes. An empty array has zero dimensions.
@usableFromInline
enum PostgresBinaryArray {
    /// `element(index, &buffer)` appends element `index`'s bytes, or returns false for NULL.
    @inlinable
    static func encode(
        count: Int, elementType: PostgresTypeOID, into buffer: inout [UInt8], element: (Int, inout [UInt8]) -> Bool
    ) {
        let header = buffer.count
        encodeHeader(count: count, elementType: elementType, into: &buffer)
        guard count > 0 else { return }
        var hasNulls = false
        for index in 0..<count {
            let lengthAt = buffer.count
            appendBigEndian(Int32(-1), to: &buffer)
            let start = buffer.count
            if element(index, &buffer) {
                let length = UInt32(buffer.count - start).bigEndian
                withUnsafeBytes(of: length) { bytes in
                    for offset in 0..<4 { buffer[lengthAt + offset] = bytes[offset] }
                }
            } else {
                hasNulls = true
            }
        }
        if hasNulls { buffer[header + 7] = 1 }
    }

    /// The header alone (no NULLs yet), for a caller that writes the `count` elements itself.
    @inlinable
    static func encodeHeader(count: Int, elementType: PostgresTypeOID, into buffer: inout [UInt8]) {
        appendBigEndian(Int32(count == 0 ? 0 : 1), to: &buffer)
        appendBigEndian(Int32(0), to: &buffer)  // has-NULLs flag
        appendBigEndian(elementType.rawValue, to: &buffer)
        guard count > 0 else { return }
        appendBigEndian(Int32(count), to: &buffer)
        appendBigEndian(Int32(1), to: &buffer)
    }
}
