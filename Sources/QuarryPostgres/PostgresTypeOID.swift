/// A PostgreSQL type OID, as found in `pg_type`. Only the built-in types Quarry encodes or decodes are named.
public struct PostgresTypeOID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// Let the server infer the parameter's type from context (libpq sends OID 0).
    public static let unspecified = PostgresTypeOID(0)
    public static let bool = PostgresTypeOID(16)
    public static let bytea = PostgresTypeOID(17)
    public static let char = PostgresTypeOID(18)
    public static let name = PostgresTypeOID(19)
    public static let int8 = PostgresTypeOID(20)
    public static let int2 = PostgresTypeOID(21)
    public static let int4 = PostgresTypeOID(23)
    public static let text = PostgresTypeOID(25)
    public static let oid = PostgresTypeOID(26)
    public static let json = PostgresTypeOID(114)
    public static let float4 = PostgresTypeOID(700)
    public static let float8 = PostgresTypeOID(701)
    public static let unknown = PostgresTypeOID(705)
    public static let boolArray = PostgresTypeOID(1000)
    public static let int2Array = PostgresTypeOID(1005)
    public static let int4Array = PostgresTypeOID(1007)
    public static let textArray = PostgresTypeOID(1009)
    public static let bpcharArray = PostgresTypeOID(1014)
    public static let varcharArray = PostgresTypeOID(1015)
    public static let int8Array = PostgresTypeOID(1016)
    public static let float8Array = PostgresTypeOID(1022)
    public static let bpchar = PostgresTypeOID(1042)
    public static let varchar = PostgresTypeOID(1043)
    public static let date = PostgresTypeOID(1082)
    public static let timestamp = PostgresTypeOID(1114)
    public static let timestampArray = PostgresTypeOID(1115)
    public static let timestamptz = PostgresTypeOID(1184)
    public static let timestamptzArray = PostgresTypeOID(1185)
    public static let numeric = PostgresTypeOID(1700)
    public static let uuid = PostgresTypeOID(2950)
    public static let uuidArray = PostgresTypeOID(2951)
    public static let jsonb = PostgresTypeOID(3802)
    public static let jsonbArray = PostgresTypeOID(3807)

    public var description: String {
        switch self {
        case .bool: "boolean"
        case .bytea: "bytea"
        case .char: "char"
        case .name: "name"
        case .int8: "bigint"
        case .int2: "smallint"
        case .int4: "integer"
        case .text: "text"
        case .oid: "oid"
        case .json: "json"
        case .float4: "real"
        case .float8: "double precision"
        case .unknown: "unknown"
        case .textArray: "text[]"
        case .int8Array: "bigint[]"
        case .int4Array: "integer[]"
        case .float8Array: "double precision[]"
        case .bpchar: "character"
        case .varchar: "character varying"
        case .date: "date"
        case .timestamp: "timestamp"
        case .timestamptz: "timestamptz"
        case .numeric: "numeric"
        case .uuid: "uuid"
        case .uuidArray: "uuid[]"
        case .jsonb: "jsonb"
        default: "oid \(rawValue)"
        }
    }

    /// The types whose binary form is the text itself.
    public var isText: Bool {
        self == .text || self == .varchar || self == .bpchar || self == .name || self == .unknown || self == .char
    }
}

/// libpq's parameter and result formats.
public enum PostgresFormat: Int32, Sendable {
    case text = 0
    case binary = 1
}
