import Foundation

/// A Swift type that can be decoded from a column of a result (results arrive in binary format).
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-NULL value of server type `type`; throws `.typeMismatch` naming `column` otherwise.
    static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> Self
    /// The value for SQL NULL; non-optional types throw `.unexpectedNull`.
    static func decodeNull(column: String) throws -> Self
    /// The value when `bytes` are in the type's usual form (an `int8` for `Int`, text for `String`), else
    /// nil, and `decode(from:type:column:)` takes over, with the column's name for its errors. Rows are
    /// decoded through this first because passing the name costs a retain and a release per field.
    static func decodeUsual(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID) -> Self?
}

extension PostgresDecodable {
    public static func decodeUsual(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID) -> Self? { nil }

    public static func decodeNull(column: String) throws -> Self {
        throw PostgresError(
            code: .unexpectedNull,
            message: "column \"\(column)\" is NULL but \(Self.self) is not optional; decode \(Self.self)? instead",
            column: column)
    }

    /// The error for a column of `type`, which this type cannot be decoded from.
    public static func mismatch(_ type: PostgresTypeOID, _ column: String) -> PostgresError {
        PostgresError(
            code: .typeMismatch,
            message: "cannot decode column \"\(column)\" of type \(type) as \(Self.self)",
            column: column)
    }
}

@inline(__always)
func readBigEndian<T: FixedWidthInteger>(_: T.Type, _ bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> T {
    var value: T = 0
    withUnsafeMutableBytes(of: &value) { target in
        target.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + MemoryLayout<T>.size]))
    }
    return T(bigEndian: value)
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> Self {
        try Wrapped.decode(from: bytes, type: type, column: column)
    }
    public static func decodeUsual(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID) -> Self? {
        Wrapped.decodeUsual(from: bytes, type: type).map { .some($0) }
    }
    public static func decodeNull(column: String) throws -> Self { nil }
}

extension Int64: PostgresDecodable {
    public static func decodeUsual(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID) -> Self? {
        switch type {
        case .int8 where bytes.count == 8: readBigEndian(Int64.self, bytes)
        case .int4 where bytes.count == 4: Int64(readBigEndian(Int32.self, bytes))
        case .int2 where bytes.count == 2: Int64(readBigEndian(Int16.self, bytes))
        default: nil
        }
    }
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> Self {
        if let value = decodeUsual(from: bytes, type: type) { return value }
        switch type {
        case .oid where bytes.count == 4: return Int64(readBigEndian(UInt32.self, bytes))
        case .numeric:
            let value = try PostgresNumeric.decode(bytes, column: column)
            guard value.rounded() == value, abs(value) < 9.2e18 else { throw mismatch(type, column) }
            return Int64(value)
        default: throw mismatch(type, column)
        }
    }
}

extension Int: PostgresDecodable {
    public static func decodeUsual(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID) -> Self? {
        Int64.decodeUsual(from: bytes, type: type).map { Int($0) }
    }
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> Self {
        Int(try Int64.decode(from: bytes, type: type, column: column))
    }
}

extension Int32: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> Self {
        let wide = try Int64.decode(from: bytes, type: type, column: column)
        guard let narrow = Int32(exactly: wide) else {
            throw PostgresError(
                code: .typeMismatch, message: "column \"\(column)\" value \(wide) does not fit in Int32",
                column: column)
        }
        return narrow
    }
}

extension Double: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> Self {
        switch type {
        case .float8 where bytes.count == 8: return Double(bitPattern: readBigEndian(UInt64.self, bytes))
        case .float4 where bytes.count == 4: return Double(Float(bitPattern: readBigEndian(UInt32.self, bytes)))
        case .numeric: return try PostgresNumeric.decode(bytes, column: column)
        case .int8, .int4, .int2: return Double(try Int64.decode(from: bytes, type: type, column: column))
        default: throw mismatch(type, column)
        }
    }
}

extension Bool: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> Self {
        guard type == .bool, bytes.count == 1 else { throw mismatch(type, column) }
        return bytes[0] != 0
    }
}

extension String: PostgresDecodable {
    public static func decodeUsual(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID) -> Self? {
        type.isText ? String(decoding: bytes, as: UTF8.self) : nil
    }
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> Self {
        if let text = decodeUsual(from: bytes, type: type) { return text }
        if type == .json {
            return String(decoding: bytes, as: UTF8.self)
        }
        if type == .jsonb, bytes.count >= 1 {
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[1...]), as: UTF8.self)
        }
        if type == .uuid, bytes.count == 16 {
            return try UUID.decode(from: bytes, type: type, column: column).uuidString.lowercased()
        }
        throw mismatch(type, column)
    }
}

extension UUID: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> Self {
        guard type == .uuid, bytes.count == 16 else { throw mismatch(type, column) }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &raw) { $0.copyMemory(from: bytes) }
        return UUID(uuid: raw)
    }
}

extension Date: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> Self {
        switch type {
        case .timestamptz, .timestamp:
            guard bytes.count == 8 else { throw mismatch(type, column) }
            let micros = readBigEndian(Int64.self, bytes)
            if micros == Int64.max { return .distantFuture }
            if micros == Int64.min { return .distantPast }
            return Date(timeIntervalSince1970: postgresEpochOffsetSeconds + Double(micros) / 1_000_000)
        case .date:
            guard bytes.count == 4 else { throw mismatch(type, column) }
            let days = readBigEndian(Int32.self, bytes)
            return Date(timeIntervalSince1970: postgresEpochOffsetSeconds + Double(days) * 86_400)
        default: throw mismatch(type, column)
        }
    }
}

extension PostgresBytes: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> Self {
        guard type == .bytea else { throw mismatch(type, column) }
        return PostgresBytes(Array(bytes))
    }
}

extension Data: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> Self {
        guard type == .bytea else { throw mismatch(type, column) }
        return Data(bytes)
    }
}

extension PostgresRawJSON: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> Self {
        switch type {
        case .json: return PostgresRawJSON(Array(bytes))
        case .jsonb where bytes.count >= 1: return PostgresRawJSON(Array(bytes[1...]))
        default: throw mismatch(type, column)
        }
    }
}

extension PostgresJSON: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> Self {
        let raw = try PostgresRawJSON.decode(from: bytes, type: type, column: column)
        do {
            return PostgresJSON(try JSONDecoder().decode(Value.self, from: Data(raw.bytes)))
        } catch {
            throw PostgresError(
                code: .typeMismatch,
                message: "column \"\(column)\" holds JSON that does not decode as \(Value.self): \(error)",
                column: column)
        }
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> Self {
        // Binary array: ndim, has-null flag, element OID, (size, lower bound) per dimension, then elements.
        guard bytes.count >= 12 else { throw mismatch(type, column) }
        let dimensions = readBigEndian(Int32.self, bytes, at: 0)
        let elementType = PostgresTypeOID(readBigEndian(UInt32.self, bytes, at: 8))
        if dimensions == 0 { return [] }
        guard dimensions == 1, bytes.count >= 20 else {
            throw PostgresError(
                code: .typeMismatch,
                message: "column \"\(column)\" is a \(dimensions)-dimensional array; only one dimension decodes",
                column: column)
        }
        let count = Int(readBigEndian(Int32.self, bytes, at: 12))
        var offset = 20
        var result: [Element] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            guard offset + 4 <= bytes.count else { throw mismatch(type, column) }
            let length = Int(readBigEndian(Int32.self, bytes, at: offset))
            offset += 4
            if length < 0 {
                result.append(try Element.decodeNull(column: column))
                continue
            }
            guard offset + length <= bytes.count else { throw mismatch(type, column) }
            let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])
            result.append(try Element.decode(from: slice, type: elementType, column: column))
            offset += length
        }
        return result
    }
}

/// PostgreSQL's binary numeric: ndigits, weight, sign, dscale, then base-10000 digits.
enum PostgresNumeric {
    static func decode(_ bytes: UnsafeRawBufferPointer, column: String) throws -> Double {
        guard bytes.count >= 8 else {
            throw PostgresError(code: .typeMismatch, message: "column \"\(column)\" has a short numeric", column: column)
        }
        let digitCount = Int(readBigEndian(Int16.self, bytes, at: 0))
        let weight = Int(readBigEndian(Int16.self, bytes, at: 2))
        let sign = readBigEndian(UInt16.self, bytes, at: 4)
        if sign == 0xC000 { return .nan }
        var value = 0.0
        for index in 0..<digitCount {
            let digit = Double(readBigEndian(Int16.self, bytes, at: 8 + index * 2))
            value += digit * pow(10_000, Double(weight - index))
        }
        return sign == 0x4000 ? -value : value
    }
}
