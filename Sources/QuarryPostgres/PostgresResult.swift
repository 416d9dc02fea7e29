import CLibPQ

/// The rows of one statement's result. Owns the libpq `PGresult` and frees it when the last reference goes.
///
/// `@unchecked Sendable`: a PGresult is immutable once libpq hands it over and libpq documents reading it
/// from any thread as safe; nothing here mutates it after `init`.
public final class PostgresResult: @unchecked Sendable, RandomAccessCollection {
    @usableFromInline let handle: OpaquePointer
    public let columns: [String]
    @usableFromInline let columnTypes: [PostgresTypeOID]
    let columnIndex: [String: Int]
    public let count: Int
    /// The command tag's row count (`UPDATE 5` → 5), for statements that return no rows.
    public let affectedRows: Int

    init(handle: OpaquePointer) {
        self.handle = handle
        let fieldCount = Int(PQnfields(handle))
        var columns: [String] = []
        var types: [PostgresTypeOID] = []
        var index: [String: Int] = [:]
        for field in 0..<fieldCount {
            let name = String(cString: PQfname(handle, Int32(field)))
            columns.append(name)
            types.append(PostgresTypeOID(PQftype(handle, Int32(field))))
            if index[name] == nil { index[name] = field }
        }
        self.columns = columns
        self.columnTypes = types
        self.columnIndex = index
        self.count = Int(PQntuples(handle))
        self.affectedRows = Int(String(cString: PQcmdTuples(handle))) ?? 0
    }

    deinit { PQclear(handle) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(position: Int) -> PostgresRow { PostgresRow(result: self, row: position) }

    /// The position of the column named `name`, for decoding many rows by position (`decode(_:at:)`)
    /// without looking the name up in every row.
    public func position(of name: String) throws -> Int {
        guard let index = columnIndex[name] else {
            throw PostgresError(
                code: .columnNotFound, message: "no column \"\(name)\" in the result; it has \(columns.joined(separator: ", "))",
                column: name)
        }
        return index
    }

    /// The first row, if any.
    public var firstRow: PostgresRow? { isEmpty ? nil : self[0] }
}

/// One row of a `PostgresResult`; decode columns by name or position.
public struct PostgresRow: Sendable {
    @usableFromInline let result: PostgresResult
    @usableFromInline let row: Int

    public var columns: [String] { result.columns }

    /// Decodes the column named `column` as `T` (use `T?` for nullable columns).
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, _ column: String) throws -> T {
        try decode(type, at: result.position(of: column))
    }

    /// Decodes the column at `index` (0-based) as `T`.
    ///
    /// Inlinable so that a caller decoding many rows gets it specialised for each `T`, instead of
    /// generic calls through witness tables for every field of every row.
    @inlinable
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at index: Int) throws -> T {
        guard index >= 0, index < result.columnTypes.count else {
            throw PostgresError(
                code: .columnNotFound, message: "column index \(index) is out of range (\(result.columnTypes.count) columns)")
        }
        // The column's name is read only where it is needed, for NULL and for values in an unusual form:
        // holding it was a retain and a release of the string for every field of every row.
        let row = Int32(row), field = Int32(index)
        let length = Int(PQgetlength(result.handle, row, field))
        // libpq gives a NULL as an empty value, so only an empty value needs asking whether it is NULL.
        if length == 0, PQgetisnull(result.handle, row, field) != 0 {
            return try T.decodeNull(column: result.columns[index])
        }
        guard let pointer = PQgetvalue(result.handle, row, field) else { return try T.decodeNull(column: result.columns[index]) }
        let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(pointer), count: length)
        let type = result.columnTypes[index]
        if let value = T.decodeUsual(from: bytes, type: type) { return value }
        return try T.decode(from: bytes, type: type, column: result.columns[index])
    }

    /// The text of the column at `index`, or `previous` itself when the text is the same: for a column that
    /// repeats from row to row (a task's kind), this spares making and validating a new string per row.
    @inlinable
    public func decodeText(at index: Int, reusing previous: String) throws -> String {
        guard index >= 0, index < result.columnTypes.count, result.columnTypes[index].isText else {
            return try decode(String.self, at: index)
        }
        let row = Int32(row), field = Int32(index)
        let length = Int(PQgetlength(result.handle, row, field))
        guard length > 0, length == previous.utf8.count, let pointer = PQgetvalue(result.handle, row, field) else {
            return try decode(String.self, at: index)
        }
        let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(pointer), count: length)
        let same = previous.utf8.withContiguousStorageIfAvailable { bytes.hasSameBytes(as: $0) }
        return same == true ? previous : try decode(String.self, at: index)
    }

    /// True when the column is SQL NULL.
    public func isNull(_ column: String) -> Bool {
        guard let index = result.columnIndex[column] else { return true }
        return PQgetisnull(result.handle, Int32(row), Int32(index)) != 0
    }
}
