import Foundation
import QuarryJSON

/// The typed parameters of `personalized_qa` (see `PersonalizedQARecipe.parameterDefinitions` for the
/// spec's names, defaults and help).
///
/// `variants` and `generators` are lists. The spec may write them as YAML lists or as comma-separated
/// strings (`variants: basic, personalized`); both decode to the same value, and an unknown variant, a
/// repeated name or an empty list is an error naming the parameter.
public struct PersonalizedQAParameters: Sendable, Equatable, Codable {
    public var variants: [PersonalizedQAVariant]
    /// Names of the generators: each a role mapped under the spec's `endpoints:` or an endpoint name.
    public var generators: [String]
    public var hardNegatives: Bool
    public var excludeHallucinated: Bool
    public var excludeOffTopic: Bool
    public var generationTemperature: Double
    public var judgeTemperature: Double
    public var maxTokens: Int

    enum CodingKeys: String, CodingKey {
        case variants, generators
        case hardNegatives = "hard_negatives"
        case excludeHallucinated = "exclude_hallucinated"
        case excludeOffTopic = "exclude_off_topic"
        case generationTemperature = "generation_temperature"
        case judgeTemperature = "judge_temperature"
        case maxTokens = "max_tokens"
    }

    public init(
        variants: [PersonalizedQAVariant] = PersonalizedQAVariant.allCases, generators: [String] = [PersonalizedQARecipe.Role.generator],
        hardNegatives: Bool = false, excludeHallucinated: Bool = true, excludeOffTopic: Bool = false, generationTemperature: Double = 0.7,
        judgeTemperature: Double = 0, maxTokens: Int = 512
    ) {
        self.variants = variants
        self.generators = generators
        self.hardNegatives = hardNegatives
        self.excludeHallucinated = excludeHallucinated
        self.excludeOffTopic = excludeOffTopic
        self.generationTemperature = generationTemperature
        self.judgeTemperature = judgeTemperature
        self.maxTokens = maxTokens
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let variantNames = try Self.list(container, .variants)
        var variants: [PersonalizedQAVariant] = []
        for name in variantNames {
            guard let variant = PersonalizedQAVariant(rawValue: name) else {
                throw Self.invalid(
                    container, .variants,
                    "unknown variant '\(name)' (the variants: \(PersonalizedQAVariant.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            variants.append(variant)
        }
        let generators = try Self.list(container, .generators)
        for generator in generators where !Self.isValidGeneratorName(generator) {
            throw Self.invalid(
                container, .generators, "generator name '\(generator)' may only hold letters, digits, '-', '_' and '.' (it names export folders)")
        }
        self.init(
            variants: variants, generators: generators,
            hardNegatives: try container.decode(Bool.self, forKey: .hardNegatives),
            excludeHallucinated: try container.decode(Bool.self, forKey: .excludeHallucinated),
            excludeOffTopic: try container.decode(Bool.self, forKey: .excludeOffTopic),
            generationTemperature: try container.decode(Double.self, forKey: .generationTemperature),
            judgeTemperature: try container.decode(Double.self, forKey: .judgeTemperature),
            maxTokens: try container.decode(Int.self, forKey: .maxTokens))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(variants.map(\.rawValue), forKey: .variants)
        try container.encode(generators, forKey: .generators)
        try container.encode(hardNegatives, forKey: .hardNegatives)
        try container.encode(excludeHallucinated, forKey: .excludeHallucinated)
        try container.encode(excludeOffTopic, forKey: .excludeOffTopic)
        try container.encode(generationTemperature, forKey: .generationTemperature)
        try container.encode(judgeTemperature, forKey: .judgeTemperature)
        try container.encode(maxTokens, forKey: .maxTokens)
    }

    /// The build's parameters, typed: `RecipeParameters` holds every parameter with its default filled in.
    public init(_ parameters: RecipeParameters) throws(RecipeError) {
        do {
            self = try parameters.decode(Self.self)
        } catch let error as DecodingError {
            throw RecipeError(.invalidValue, Self.message(error), field: Self.field(error))
        } catch {
            throw RecipeError(.invalidValue, "the parameters of personalized_qa do not decode: \(error)", field: "parameters")
        }
    }

    /// Every arm of the build: each variant for each generator, variants in the build's order.
    public var arms: [PersonalizedQAArm] {
        variants.flatMap { variant in generators.map { PersonalizedQAArm(variant: variant, generator: $0) } }
    }

    static func isValidGeneratorName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }
            && name != "." && name != ".."
    }

    /// A list parameter from a JSON array of strings or a comma-separated string: trimmed, non-empty,
    /// without repeats.
    static func list(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> [String] {
        let items: [String]
        if let array = try? container.decode([String].self, forKey: key) {
            items = array.map { $0.trimmingCharacters(in: .whitespaces) }
        } else {
            let text = try container.decode(String.self, forKey: key)
            items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let names = items.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw invalid(container, key, "\(key.rawValue) must name at least one") }
        var seen: Set<String> = []
        for name in names where !seen.insert(name).inserted {
            throw invalid(container, key, "\(key.rawValue) names '\(name)' twice")
        }
        return names
    }

    static func invalid(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys, _ message: String) -> DecodingError {
        DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: message)
    }

    static func message(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context): return context.debugDescription
        case .keyNotFound(let key, _): return "parameter '\(key.stringValue)' is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "parameter '\(context.codingPath.last?.stringValue ?? "?")' has the wrong type"
        @unknown default: return "\(error)"
        }
    }

    static func field(_ error: DecodingError) -> String {
        let path: [any CodingKey]
        switch error {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context): path = context.codingPath
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        @unknown default: path = []
        }
        return (["parameters"] + path.map(\.stringValue)).joined(separator: ".")
    }
}
