import QuarryPostgres

extension TaskFamily: PostgresDecodable {
    /// Read from the column's bytes: every claimed row has a family, and making a `String` of it to match
    /// against the names showed in the worker's profile.
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PostgresTypeOID, column: String) throws -> TaskFamily {
        guard type.isText else { throw mismatch(type, column) }
        for family in allCases where family.rawValue.utf8.elementsEqual(bytes) { return family }
        throw PostgresError(
            code: .invalidValue,
            message: "task family '\(String(decoding: bytes, as: UTF8.self))' is not one this version of Quarry knows (migrate, or upgrade)",
            column: column)
    }
}
