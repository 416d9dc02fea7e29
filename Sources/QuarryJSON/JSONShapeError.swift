/// A JSON document that parsed but is not the shape a reader expected: which value (a path such as
/// `$.choices[0].message`) and what was wanted there.
public struct JSONShapeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var expected: String
    /// What was found instead: a JSON type name, or "nothing" for a missing field.
    public var found: String

    public init(path: String, expected: String, found: String) {
        self.path = path
        self.expected = expected
        self.found = found
    }

    public var description: String {
        "expected \(expected) at \(path), found \(found)"
    }
}
