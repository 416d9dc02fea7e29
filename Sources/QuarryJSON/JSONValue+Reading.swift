/// Typed reads of a parsed document for hand-written decoders (`JSONValueDecodable`): each takes the path of
/// the value being read, so a wrong shape is reported where it is, e.g. `expected a string at
/// $.choices[0].message.content, found a number`. Paths are closures, built only when there is an error:
/// building them for every field of every response would cost more than reading the fields.
extension JSONValue {
    /// The JSON type's name, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public func objectMembers(at path: @autoclosure () -> String) throws(JSONShapeError) -> [String: JSONValue] {
        guard case .object(let members) = self else { throw mismatch(path(), "an object") }
        return members
    }

    public func arrayElements(at path: @autoclosure () -> String) throws(JSONShapeError) -> [JSONValue] {
        guard case .array(let elements) = self else { throw mismatch(path(), "an array") }
        return elements
    }

    public func string(at path: @autoclosure () -> String) throws(JSONShapeError) -> String {
        guard case .string(let value) = self else { throw mismatch(path(), "a string") }
        return value
    }

    public func int(at path: @autoclosure () -> String) throws(JSONShapeError) -> Int {
        guard let value = intValue else { throw mismatch(path(), "an integer") }
        return value
    }

    public func double(at path: @autoclosure () -> String) throws(JSONShapeError) -> Double {
        guard let value = doubleValue else { throw mismatch(path(), "a number") }
        return value
    }

    /// nil for null; the value's string otherwise (anything else is a shape error).
    public func optionalString(at path: @autoclosure () -> String) throws(JSONShapeError) -> String? {
        if isNull { return nil }
        return try string(at: path())
    }

    private func mismatch(_ path: String, _ expected: String) -> JSONShapeError {
        JSONShapeError(path: path, expected: expected, found: typeName)
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// A required member; missing is a shape error naming `path`.
    public func required(_ key: String, at path: @autoclosure () -> String, expected: String) throws(JSONShapeError) -> JSONValue {
        guard let value = self[key] else { throw JSONShapeError(path: path() + "." + key, expected: expected, found: "nothing") }
        return value
    }

    /// An optional member: nil when missing or null.
    public func optional(_ key: String) -> JSONValue? {
        guard let value = self[key], !value.isNull else { return nil }
        return value
    }

    /// A required array member, each element read as `Element` (paths `path.key[i]`).
    public func requiredArray<Element: JSONValueDecodable>(
        _ key: String, at path: () -> String, expected: String
    ) throws(JSONShapeError) -> [Element] {
        let elements = try required(key, at: path(), expected: expected).arrayElements(at: path() + "." + key)
        var decoded: [Element] = []
        decoded.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            decoded.append(try Element(json: element, path: { "\(path()).\(key)[\(index)]" }))
        }
        return decoded
    }

    /// An optional member read as `T`: nil when missing or null.
    public func optionalDecoded<T: JSONValueDecodable>(_ key: String, at path: () -> String) throws(JSONShapeError) -> T? {
        guard let value = optional(key) else { return nil }
        return try T(json: value, path: { path() + "." + key })
    }
}

/// A type read from a parsed `JSONValue` by hand rather than through `Codable`, for the documents decoded
/// once per request (LLM responses), where `JSONDecoder` was a measurable share of the client's CPU.
public protocol JSONValueDecodable {
    /// Reads `json`; `path` names it in errors (`$` for a whole document) and is only called for one.
    init(json: JSONValue, path: () -> String) throws(JSONShapeError)
}

extension JSONValueDecodable {
    /// Parses `bytes` and reads the document.
    public static func decode(jsonBytes bytes: [UInt8]) throws -> Self {
        try Self(json: JSONParser.parse(bytes), path: { "$" })
    }
}
