import QuarryJSON
import QuarryLLM

/// One tunable of a recipe: its type, range, default and what it does. Specs may set it under
/// `parameters:`; anything else there is an error, so a typo never silently falls back to a default.
public struct RecipeParameter: Sendable {
    public enum Kind: Sendable, Equatable {
        case integer(ClosedRange<Int>)
        case number(ClosedRange<Double>)
        case boolean
        case choice([String])
        case text
    }

    public var name: String
    public var kind: Kind
    public var defaultValue: JSONValue
    public var help: String

    public init(_ name: String, _ kind: Kind, default defaultValue: JSONValue, help: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
    }

    /// Why `value` is not acceptable, or nil when it is.
    public func problem(with value: JSONValue) -> String? {
        switch kind {
        case .integer(let range):
            guard case .int(let number) = value else { return "\(name) must be an integer" }
            return range.contains(number) ? nil : "\(name) must be in \(range.lowerBound)...\(range.upperBound) (got \(number))"
        case .number(let range):
            guard let number = value.doubleValue else { return "\(name) must be a number" }
            return range.contains(number) ? nil : "\(name) must be in \(range.lowerBound)...\(range.upperBound) (got \(number))"
        case .boolean:
            return value.boolValue == nil ? "\(name) must be true or false" : nil
        case .choice(let options):
            guard let text = value.stringValue else { return "\(name) must be one of: \(options.joined(separator: ", "))" }
            return options.contains(text) ? nil : "\(name) must be one of: \(options.joined(separator: ", ")) (got '\(text)')"
        case .text:
            return value.stringValue == nil ? "\(name) must be a string" : nil
        }
    }
}
