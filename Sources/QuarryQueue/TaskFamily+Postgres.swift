import QuarryPostgres

extension TaskFamily: PostgresDecodable {
    /// Every family's name as bytes, to match a column against without making a `String` of it.
    private static let encodedNames: [(family: TaskFamily, name: [UInt8])] = allCases.map { ($0, Array($0.rawValue.utf8)) }

    /// Read from the column's bytes: every claimed row has a family, and making a `String` of it to match
    /// against the names showed in the worker's profile.
    public static func decodeUsual(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID) -> TaskFamily? {
        guard type.isText else { return nil }
        return encodedNames.first { $0.name.withUnsafeBufferPointer { bytes.hasSameBytes(as: $0) } }?.family
    }

    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> TaskFamily {
        if let family = decodeUsual(from: bytes, type: type) { return family }
        guard type.isText else { throw mismatch(type, column) }
        throw PostgresError(
            code: .invalidValue,
            message: "task family '\(String(decoding: bytes, as: UTF8.self))' is not one this version of Quarry knows (migrate, or upgrade)",
            column: column)
    }
}
