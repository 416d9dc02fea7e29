/// An ordered list of HTTP header fields with case-insensitive name lookup.
///
/// Order and duplicates are kept: a response may carry several `Set-Cookie` or `Link` fields and each is
/// a separate value. Lookups compare names ASCII-case-insensitively without allocating, because the LLM
/// path reads a handful of headers from every response.
///
/// `description` prints names only: request headers carry API keys, and a stray
/// `logger.debug("\(headers)")` must not leak them.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public typealias Element = (name: String, value: String)

    // Internal for `CurlHeaderListCache`, which compares header sets exactly (names included).
    private(set) var names: [String] = []
    private(set) var values: [String] = []

    public init() {}

    public init(_ fields: some Sequence<(String, String)>) {
        for (name, value) in fields {
            self.add(name: name, value: value)
        }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public var count: Int { names.count }
    public var isEmpty: Bool { names.isEmpty }

    /// Appends a field, keeping any existing fields of the same name.
    public mutating func add(name: String, value: String) {
        names.append(name)
        values.append(value)
    }

    /// Removes every field called `name`, then appends one with `value`.
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    /// Removes every field called `name` (case-insensitively).
    public mutating func remove(name: String) {
        var index = names.count - 1
        while index >= 0 {
            if Self.namesEqual(names[index], name) {
                names.remove(at: index)
                values.remove(at: index)
            }
            index -= 1
        }
    }

    /// The first value of the field called `name`, or nil.
    public func first(_ name: String) -> String? {
        for index in names.indices where Self.namesEqual(names[index], name) {
            return values[index]
        }
        return nil
    }

    /// Every value of the fields called `name`, in the order they were received or added.
    public func values(_ name: String) -> [String] {
        var result: [String] = []
        for index in names.indices where Self.namesEqual(names[index], name) {
            result.append(values[index])
        }
        return result
    }

    public func contains(_ name: String) -> Bool {
        names.contains { Self.namesEqual($0, name) }
    }

    public func makeIterator() -> some IteratorProtocol<Element> {
        // A concrete iterator rather than `AnyIterator`: that one boxes a closure context on the heap,
        // and every request iterates its headers (validation, and the header list on a cache miss).
        FieldIterator(names: names, values: values)
    }

    private struct FieldIterator: IteratorProtocol {
        let names: [String]
        let values: [String]
        var index = 0

        mutating func next() -> Element? {
            guard index < names.count else { return nil }
            defer { index += 1 }
            return (names[index], values[index])
        }
    }

    public var description: String {
        "HTTPHeaders(\(names.joined(separator: ", ")); values redacted)"
    }

    /// Two header lists are equal when they hold the same fields in the same order, names compared
    /// case-insensitively (HTTP field names are case-insensitive; values are not).
    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        guard lhs.names.count == rhs.names.count, lhs.values == rhs.values else { return false }
        return zip(lhs.names, rhs.names).allSatisfy { namesEqual($0, $1) }
    }

    public func hash(into hasher: inout Hasher) {
        for name in names {
            for byte in name.utf8 { hasher.combine(Self.asciiLowercase(byte)) }
            hasher.combine(0xFF as UInt8)
        }
        hasher.combine(values)
    }

    static func namesEqual(_ lhs: String, _ rhs: String) -> Bool {
        let a = lhs.utf8
        let b = rhs.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { asciiLowercase($0) == asciiLowercase($1) }
    }

    @inline(__always)
    private static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }
}

extension HTTPHeaders {
    /// Room for `count` fields without regrowing (response parsing: two arrays would otherwise grow
    /// 1, 2, 4, 8… on every response).
    mutating func reserveCapacity(_ count: Int) {
        names.reserveCapacity(count)
        values.reserveCapacity(count)
    }

    /// Extends the most recent field's value (for folded header lines).
    mutating func appendToLastValue(_ suffix: String) {
        guard !values.isEmpty else { return }
        values[values.count - 1] += suffix
    }
}
