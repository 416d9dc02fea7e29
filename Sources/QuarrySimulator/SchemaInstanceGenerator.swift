import QuarryJSON
import Foundation

/// Produces a valid instance of a JSON Schema (the subset OpenAI structured outputs use: objects with
/// properties and `required`, strings with `enum`/`const`/`format`/length bounds, numbers and integers with
/// bounds and `multipleOf`, booleans, arrays with `items`/`prefixItems` and item-count bounds, `null`, type
/// lists, `anyOf`/`oneOf`/`allOf`, and local `$ref`s into `$defs`/`definitions`). Every property an object
/// declares is emitted, as `strict` mode requires. String content is built from the prompt's words.
///
/// Not supported (ignored): `pattern`, `if`/`then`/`else`, `not`, `dependentSchemas`, remote `$ref`s.
struct SchemaInstanceGenerator {
    /// Lets a caller decide a named property's value before normal generation (the judge uses this).
    typealias Override = (_ name: String, _ schema: JSONValue) -> JSONValue?

    private enum HallucinationTarget {
        case none, answerFields, firstString
    }

    let root: JSONValue
    private(set) var text: TextGenerator
    private let override: Override?
    private var target: HallucinationTarget
    /// Whether any invented words were written into the instance.
    private(set) var injected = false

    /// Past this depth objects emit only required properties and arrays their minimum item count, so that
    /// recursive schemas terminate.
    private static let shallowDepth = 6
    private static let maxDepth = 24

    static let answerHints = [
        "answer", "response", "summary", "claim", "fact", "statement", "explanation", "content", "text", "output",
        "reply", "description", "passage", "completion",
    ]
    private static let shortHints = ["title", "name", "topic", "label", "keyword", "tag", "category", "entity", "subject"]

    init(schema: JSONValue, text: TextGenerator, hallucinate: Bool, override: Override? = nil) {
        self.root = schema
        self.text = text
        self.override = override
        self.target = .none
        if hallucinate {
            target = hasAnswerLikeString(schema, name: nil, depth: 0) ? .answerFields : .firstString
        }
    }

    mutating func generate() -> JSONValue {
        value(for: root, name: nil, depth: 0)
    }

    // MARK: - Schema navigation

    /// Follows `$ref` chains (local JSON pointers only).
    func resolve(_ schema: JSONValue) -> JSONValue {
        var current = schema
        var hops = 0
        while let ref = current["$ref"]?.stringValue, hops < 32 {
            guard let target = pointer(ref) else { return .object([:]) }
            current = target
            hops += 1
        }
        return current
    }

    private func pointer(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#") else { return nil }
        var node = root
        for rawPart in ref.dropFirst().split(separator: "/") {
            let part = rawPart.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch node {
            case .object(let members):
                guard let next = members[part] else { return nil }
                node = next
            case .array(let items):
                guard let index = Int(part), items.indices.contains(index) else { return nil }
                node = items[index]
            default:
                return nil
            }
        }
        return node
    }

    private func type(of schema: JSONValue) -> String {
        if let type = schema["type"]?.stringValue { return type }
        if let types = schema["type"]?.arrayValue?.compactMap(\.stringValue), !types.isEmpty {
            return types.first { $0 != "null" } ?? "null"
        }
        if schema["properties"] != nil { return "object" }
        if schema["items"] != nil || schema["prefixItems"] != nil { return "array" }
        return "string"
    }

    private static func isAnswerLike(_ name: String?) -> Bool {
        guard let name = name?.lowercased() else { return false }
        return answerHints.contains { name.contains($0) }
    }

    private func hasAnswerLikeString(_ schema: JSONValue, name: String?, depth: Int) -> Bool {
        guard depth < Self.shallowDepth else { return false }
        let schema = resolve(schema)
        for key in ["anyOf", "oneOf", "allOf"] {
            if let options = schema[key]?.arrayValue,
                options.contains(where: { hasAnswerLikeString($0, name: name, depth: depth + 1) })
            {
                return true
            }
        }
        switch type(of: schema) {
        case "object":
            return (schema["properties"]?.objectValue ?? [:]).contains { key, property in
                hasAnswerLikeString(property, name: key, depth: depth + 1)
            }
        case "array":
            return schema["items"].map { hasAnswerLikeString($0, name: name, depth: depth + 1) } ?? false
        case "string":
            return schema["enum"] == nil && schema["const"] == nil && schema["format"] == nil && Self.isAnswerLike(name)
        default:
            return false
        }
    }

    // MARK: - Generation

    private mutating func value(for rawSchema: JSONValue, name: String?, depth: Int) -> JSONValue {
        let schema = resolve(rawSchema)
        guard depth < Self.maxDepth else { return .null }
        if let name, let override, let forced = override(name, schema) { return forced }
        if let constant = schema["const"] { return constant }
        if let options = schema["enum"]?.arrayValue, !options.isEmpty {
            let nonNull = options.filter { !$0.isNull }
            let pool = nonNull.isEmpty ? options : nonNull
            return pool[text.rng.nextIndex(pool.count)]
        }
        if let options = (schema["anyOf"] ?? schema["oneOf"])?.arrayValue, !options.isEmpty {
            // The first non-null branch: Pydantic's Optional[X] is anyOf [X, null], and X is the useful one.
            let chosen = options.first { type(of: resolve($0)) != "null" } ?? options[0]
            return value(for: chosen, name: name, depth: depth + 1)
        }
        if let parts = schema["allOf"]?.arrayValue, !parts.isEmpty {
            return value(for: merged(parts.map(resolve)), name: name, depth: depth + 1)
        }
        switch type(of: schema) {
        case "object": return object(schema, depth: depth)
        case "array": return array(schema, name: name, depth: depth)
        case "integer": return integer(schema, name: name)
        case "number": return number(schema, name: name)
        case "boolean": return .bool(text.rng.next() & 1 == 0)
        case "null": return .null
        default: return string(schema, name: name)
        }
    }

    /// Shallow merge for `allOf`: properties and required lists are unioned, other keywords first-wins.
    private func merged(_ parts: [JSONValue]) -> JSONValue {
        var result: [String: JSONValue] = [:]
        var properties: [String: JSONValue] = [:]
        var required: [JSONValue] = []
        for part in parts {
            for (key, value) in part.objectValue ?? [:] where result[key] == nil {
                result[key] = value
            }
            for (key, value) in part["properties"]?.objectValue ?? [:] { properties[key] = value }
            for item in part["required"]?.arrayValue ?? [] where !required.contains(item) { required.append(item) }
        }
        if !properties.isEmpty {
            result["properties"] = .object(properties)
            result["type"] = .string("object")
        }
        if !required.isEmpty { result["required"] = .array(required) }
        return .object(result)
    }

    private mutating func object(_ schema: JSONValue, depth: Int) -> JSONValue {
        let properties = schema["properties"]?.objectValue ?? [:]
        let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        var result: [String: JSONValue] = [:]
        // Sorted so the RNG is consumed in a stable order.
        for (key, property) in properties.sorted(by: { $0.key < $1.key }) where depth < Self.shallowDepth || required.contains(key) {
            result[key] = value(for: property, name: key, depth: depth + 1)
        }
        return .object(result)
    }

    private mutating func array(_ schema: JSONValue, name: String?, depth: Int) -> JSONValue {
        let prefix = schema["prefixItems"]?.arrayValue ?? []
        let minItems = max(schema["minItems"]?.intValue ?? 0, 0)
        let maxItems = schema["maxItems"]?.intValue ?? Int.max
        let lower = max(minItems, depth < Self.shallowDepth ? 1 : 0, prefix.isEmpty ? 0 : prefix.count)
        // `items: false` closes the tuple: only the prefix items are allowed.
        let closed = schema["items"] == .bool(false)
        let upper = closed ? prefix.count : max(min(maxItems, max(lower, 3)), minItems)
        let count = depth < Self.shallowDepth ? text.rng.nextInt(in: min(lower, upper)...upper) : minItems
        let unique = schema["uniqueItems"]?.boolValue ?? false
        if Self.isExtraction(name), resolve(schema["items"] ?? .object([:]))["type"]?.stringValue == "string", prefix.isEmpty {
            return .array(extractedSentences(minItems: minItems, maxItems: maxItems, name: name))
        }
        var items: [JSONValue] = []
        var attempts = 0
        while items.count < count && attempts < count * 10 + 10 {
            attempts += 1
            let itemSchema = items.count < prefix.count ? prefix[items.count] : (schema["items"] ?? .object([:]))
            // Items inherit the array's name: `claims: [String]` items are answer-like too.
            let item = value(for: itemSchema, name: name, depth: depth + 1)
            if unique && items.contains(item) { continue }
            items.append(item)
        }
        return .array(items)
    }

    /// An array of whole sentences: statements pulled out of a text (`statements`, `atomic_statements`),
    /// or a text written as its list of sentences (`sentences`). A real model returns complete sentences
    /// there, and an extractor one per sentence of its source, so the statements cover the source.
    private static func isExtraction(_ name: String?) -> Bool {
        guard let name = name?.lowercased() else { return false }
        return name.contains("statement") || name.contains("sentence")
    }

    /// The source's sentences in order (at most `maxItems`, repeated from the start to reach `minItems`);
    /// when hallucinating, one of them gets invented words.
    private mutating func extractedSentences(minItems: Int, maxItems: Int, name: String?) -> [JSONValue] {
        let ranges = text.source.sentenceRanges
        let count = min(max(ranges.count, minItems), maxItems)
        guard count > 0, !ranges.isEmpty else { return [] }
        var sentences: [[GeneratedWord]] = (0..<count).map { index in
            let range = ranges[index % ranges.count]
            return range.map { GeneratedWord(text: text.source.words[$0], startsSentence: $0 == range.lowerBound, endsSentence: $0 == range.upperBound - 1) }
        }
        let wantsHallucination: Bool
        switch target {
        case .none: wantsHallucination = false
        case .answerFields: wantsHallucination = Self.isAnswerLike(name)
        case .firstString: wantsHallucination = !injected
        }
        if wantsHallucination {
            let chosen = text.rng.nextIndex(sentences.count)
            if text.injectHallucination(into: &sentences[chosen]) { injected = true }
        }
        return sentences.map { .string(GeneratedWord.render($0)) }
    }

    private mutating func integer(_ schema: JSONValue, name: String?) -> JSONValue {
        let lowerName = name?.lowercased() ?? ""
        var low = schema["minimum"]?.doubleValue.map { Int($0.rounded(.up)) }
        var high = schema["maximum"]?.doubleValue.map { Int($0.rounded(.down)) }
        if let bound = schema["exclusiveMinimum"]?.doubleValue { low = max(low ?? Int.min, Int(bound.rounded(.down)) + 1) }
        if let bound = schema["exclusiveMaximum"]?.doubleValue { high = min(high ?? Int.max, Int(bound.rounded(.up)) - 1) }
        let hinted: ClosedRange<Int> =
            lowerName.contains("year") ? 1990...2024
            : lowerName.contains("rating") ? 1...5
            : lowerName.contains("age") ? 18...90
            : 0...100
        let lowerBound = low ?? (high.map { min(hinted.lowerBound, $0) } ?? hinted.lowerBound)
        let upperBound = max(high ?? max(hinted.upperBound, lowerBound), lowerBound)
        if let step = schema["multipleOf"]?.intValue, step > 0 {
            let first = Int((Double(lowerBound) / Double(step)).rounded(.up))
            let last = Int((Double(upperBound) / Double(step)).rounded(.down))
            if first <= last { return .int(text.rng.nextInt(in: first...last) * step) }
        }
        return .int(text.rng.nextInt(in: lowerBound...upperBound))
    }

    private mutating func number(_ schema: JSONValue, name: String?) -> JSONValue {
        var low = schema["minimum"]?.doubleValue
        var high = schema["maximum"]?.doubleValue
        var exclusiveLow = false
        var exclusiveHigh = false
        if let bound = schema["exclusiveMinimum"]?.doubleValue, bound >= (low ?? -.infinity) {
            low = bound
            exclusiveLow = true
        }
        if let bound = schema["exclusiveMaximum"]?.doubleValue, bound <= (high ?? .infinity) {
            high = bound
            exclusiveHigh = true
        }
        let lowerBound = low ?? min(0, (high ?? 1) - 1)
        let upperBound = max(high ?? max(1, lowerBound + 1), lowerBound)
        if let step = schema["multipleOf"]?.doubleValue, step > 0 {
            let first = (lowerBound / step).rounded(.up) + (exclusiveLow ? 1 : 0)
            let last = (upperBound / step).rounded(.down) - (exclusiveHigh ? 1 : 0)
            if first <= last, last - first < 1e12 {
                return .double(Double(text.rng.nextInt(in: Int(first)...Int(last))) * step)
            }
        }
        var candidate = lowerBound + (upperBound - lowerBound) * text.rng.nextUnit()
        candidate = (candidate * 1000).rounded() / 1000
        // Rounding can land on (or past) a bound: fall back to the midpoint, which is strictly inside.
        if candidate < lowerBound || candidate > upperBound || (exclusiveLow && candidate <= lowerBound)
            || (exclusiveHigh && candidate >= upperBound)
        {
            candidate = (lowerBound + upperBound) / 2
        }
        return .double(candidate)
    }

    private mutating func string(_ schema: JSONValue, name: String?) -> JSONValue {
        if let format = schema["format"]?.stringValue, let formatted = formatted(format) {
            return .string(formatted)
        }
        let lowerName = name?.lowercased() ?? ""
        var words: [GeneratedWord]
        var isQuestion = false
        if Self.isAnswerLike(name) {
            words = text.words(atLeast: text.rng.nextInt(in: 8...20))
        } else if lowerName.contains("question") || lowerName.contains("query") {
            words = text.sentence(minWords: 5, maxWords: 12)
            isQuestion = true
        } else if lowerName.contains("name"), InventedName.isRequested(promptKeys: text.source.promptKeys) {
            return .string(fitLength(InventedName.make(promptKeys: text.source.promptKeys, rng: &text.rng), schema: schema))
        } else if Self.shortHints.contains(where: { lowerName.contains($0) }) {
            words = text.phrase(minWords: 1, maxWords: 4)
        } else {
            words = text.phrase(minWords: 3, maxWords: 10)
        }
        let wantsHallucination: Bool
        switch target {
        case .none: wantsHallucination = false
        case .answerFields: wantsHallucination = Self.isAnswerLike(name)
        case .firstString: wantsHallucination = !injected
        }
        if wantsHallucination, text.injectHallucination(into: &words) {
            injected = true
        }
        var rendered = GeneratedWord.render(words)
        if isQuestion { rendered = String(rendered.dropLast(rendered.hasSuffix(".") ? 1 : 0)) + "?" }
        return .string(fitLength(rendered, schema: schema))
    }

    /// Pads with more prompt words or cuts at a word boundary so the string meets minLength/maxLength
    /// (counted in Unicode scalars, like JSON Schema's code points).
    private mutating func fitLength(_ value: String, schema: JSONValue) -> String {
        var result = value
        if let minLength = schema["minLength"]?.intValue {
            var guardCount = 0
            while result.unicodeScalars.count < minLength && guardCount < 10_000 {
                guardCount += 1
                result += " " + GeneratedWord.render(text.phrase(minWords: 1, maxWords: 1))
            }
        }
        if let maxLength = schema["maxLength"]?.intValue, result.unicodeScalars.count > maxLength {
            let scalars = Array(result.unicodeScalars.prefix(max(maxLength, 0)))
            var cut = String(String.UnicodeScalarView(scalars))
            if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) > 0,
                cut.unicodeScalars.count >= (schema["minLength"]?.intValue ?? 0) + 8
            {
                cut = String(cut[..<space])
            }
            if cut.unicodeScalars.count < (schema["minLength"]?.intValue ?? 0) {
                cut = String(String.UnicodeScalarView(scalars))
            }
            result = cut
        }
        return result
    }

    /// A value for the common `format`s; nil for unknown formats (then plain text is used).
    private mutating func formatted(_ format: String) -> String? {
        let word = asciiWord()
        var rng = text.rng
        defer { text.rng = rng }
        func two(_ range: ClosedRange<Int>) -> String {
            let value = rng.nextInt(in: range)
            return value < 10 ? "0\(value)" : "\(value)"
        }
        switch format {
        case "date": return "20\(two(10...24))-\(two(1...12))-\(two(1...28))"
        case "date-time": return "20\(two(10...24))-\(two(1...12))-\(two(1...28))T\(two(0...23)):\(two(0...59)):\(two(0...59))Z"
        case "time": return "\(two(0...23)):\(two(0...59)):\(two(0...59))"
        case "email": return "\(word)@example.com"
        case "uri", "url", "iri": return "https://example.com/\(word)"
        case "hostname": return "\(word).example.com"
        case "ipv4": return "192.0.2.\(rng.nextInt(in: 1...254))"
        case "ipv6": return "2001:db8::\(rng.nextInt(in: 1...9999))"
        case "duration": return "PT\(rng.nextInt(in: 1...59))M"
        case "uuid":
            let hex = (0..<32).map { _ in String(rng.nextIndex(16), radix: 16) }.joined()
            let chars = Array(hex)
            return "\(String(chars[0..<8]))-\(String(chars[8..<12]))-4\(String(chars[13..<16]))-a\(String(chars[17..<20]))-\(String(chars[20..<32]))"
        default: return nil
        }
    }

    /// A lowercase ASCII word from the prompt, for emails and URLs.
    private mutating func asciiWord() -> String {
        let words = text.source.words
        for _ in 0..<8 {
            let candidate = words[text.rng.nextIndex(words.count)].lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
            if !candidate.isEmpty { return candidate }
        }
        return "item"
    }
}
