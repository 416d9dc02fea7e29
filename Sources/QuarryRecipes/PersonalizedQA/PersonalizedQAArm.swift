/// One answer column of a build: a variant asked of one generator. It is the seed task's variant
/// (`personalized@gpt`), names the export folder (`personalized/gpt/`) and a report row.
public struct PersonalizedQAArm: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var variant: PersonalizedQAVariant
    /// The generator's name in the build's `generators` parameter: a role of the spec's `endpoints:` or an
    /// endpoint name.
    public var generator: String

    public init(variant: PersonalizedQAVariant, generator: String) {
        self.variant = variant
        self.generator = generator
    }

    /// `variant@generator`, the seed variant.
    public var key: String { "\(variant.rawValue)@\(generator)" }

    public var description: String { key }

    /// Parses a seed variant; nil when it is not `variant@generator` with a known variant.
    public init?(key: String) {
        guard let at = key.firstIndex(of: "@"), let variant = PersonalizedQAVariant(rawValue: String(key[..<at])) else { return nil }
        let generator = String(key[key.index(after: at)...])
        guard !generator.isEmpty else { return nil }
        self.init(variant: variant, generator: generator)
    }

    /// Variant first (in the issue's order), then generator in the build's order is not known here:
    /// generators sort by name, so files and reports list arms the same way in every export.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.variant != rhs.variant ? lhs.variant < rhs.variant : lhs.generator < rhs.generator
    }
}
