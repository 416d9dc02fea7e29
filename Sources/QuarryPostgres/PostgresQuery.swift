/// A SQL statement whose interpolated values are bound as parameters `$1…$n`, never pasted into the text.
///
///     let q: PostgresQuery = "SELECT * FROM tasks WHERE build_id = \(buildID) AND kind = \(kind)"
///     // sql: "SELECT * FROM tasks WHERE build_id = $1 AND kind = $2", two bound values
///
/// The only text that can be interpolated is an identifier, through `\(identifier: name)`, which is
/// quoted the way PostgreSQL quotes identifiers.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var sql: String
    public private(set) var binds: PostgresBindings

    public init(stringLiteral value: String) {
        self.sql = value
        self.binds = PostgresBindings()
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
    }

    /// A statement with explicit bindings, for SQL assembled by the library itself.
    public init(unsafeSQL sql: String, binds: PostgresBindings = PostgresBindings()) {
        self.sql = sql
        self.binds = binds
    }

    public var description: String { sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        public typealias StringLiteralType = String
        var sql: String
        var binds: PostgresBindings

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds = PostgresBindings(capacity: interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// Binds a value: it becomes `$n` in the text.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            binds.append(value)
            sql += "$\(binds.count)"
        }

        /// Binds an optional value: `nil` is sent as NULL.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            if let value {
                binds.append(value)
            } else {
                binds.appendNull(type: Value.postgresType)
            }
            sql += "$\(binds.count)"
        }

        /// SQL text fixed at compile time (a shared column list, say): a `StaticString` cannot carry input.
        public mutating func appendInterpolation(fragment: StaticString) {
            sql += fragment.description
        }

        /// A schema, table or column name, quoted as an identifier (embedded quotes doubled).
        public mutating func appendInterpolation(identifier: String) {
            sql += PostgresQuery.quoteIdentifier(identifier)
        }
    }

    /// Quotes an identifier the way PostgreSQL does: `"name"`, with embedded `"` doubled.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    }
}

/// The bound values of a statement, each already encoded in the wire format libpq sends.
///
/// `append` is inlinable so that each value's encoding is specialised where it is bound: the settle
/// statement encodes arrays of hundreds of elements, which through generic calls cost a witness-table
/// call per element.
public struct PostgresBindings: Sendable {
    @usableFromInline
    struct Value: Sendable {
        @usableFromInline var type: PostgresTypeOID
        @usableFromInline var format: PostgresFormat
        /// nil is SQL NULL.
        @usableFromInline var bytes: [UInt8]?

        @usableFromInline
        init(type: PostgresTypeOID, format: PostgresFormat, bytes: [UInt8]?) {
            self.type = type
            self.format = format
            self.bytes = bytes
        }
    }

    @usableFromInline var values: [Value] = []

    public init() {}
    init(capacity: Int) { values.reserveCapacity(capacity) }

    public var count: Int { values.count }

    @inlinable
    public mutating func append<Value: PostgresEncodable>(_ value: Value) {
        var bytes: [UInt8] = []
        value.encode(into: &bytes)
        values.append(.init(type: Value.postgresType, format: Value.postgresFormat, bytes: bytes))
    }

    /// Binds an optional value: `nil` is sent as NULL of the value's type.
    @inlinable
    public mutating func append<Value: PostgresEncodable>(_ value: Value?) {
        if let value { append(value) } else { appendNull(type: Value.postgresType) }
    }

    @inlinable
    public mutating func appendNull(type: PostgresTypeOID = .unspecified) {
        values.append(.init(type: type, format: .text, bytes: nil))
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        out.reserveCapacity(count + 8)
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
