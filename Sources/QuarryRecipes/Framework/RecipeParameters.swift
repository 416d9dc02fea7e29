import Foundation
import QuarryJSON
import QuarryLLM

/// A build's parameter values: every parameter of its recipe, defaults filled in, already validated
/// at submit. Stored in the build's spec, so every worker reads the same values.
public struct RecipeParameters: Sendable, Equatable, Codable {
    public var values: [String: JSONValue]

    public init(_ values: [String: JSONValue] = [:]) {
        self.values = values
    }

    /// The defaults of `definitions` overlaid with `overrides` (which must already be valid).
    public init(definitions: [RecipeParameter], overrides: [String: JSONValue] = [:]) {
        var values: [String: JSONValue] = [:]
        for definition in definitions { values[definition.name] = overrides[definition.name] ?? definition.defaultValue }
        self.values = values
    }

    public subscript(name: String) -> JSONValue? { values[name] }

    /// The values as the recipe's typed parameters (a `Codable` struct whose coding keys are the names).
    public func decode<Parameters: Decodable>(_ type: Parameters.Type) throws -> Parameters {
        try JSONDecoder().decode(Parameters.self, from: Data(JSONValue.object(values).canonicalBytes))
    }

    public init(from decoder: any Decoder) throws {
        values = try [String: JSONValue](from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try values.encode(to: encoder)
    }
}
