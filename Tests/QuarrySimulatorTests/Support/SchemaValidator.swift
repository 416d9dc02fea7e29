import Foundation

/// A small JSON Schema validator, written independently of the simulator's generator so that a test of the
/// generator does not grade its own homework. Covers the subset OpenAI structured outputs use. Works on
/// JSONSerialization values (NSNumber for numbers and booleans).
struct SchemaValidator {
    let root: [String: Any]

    /// Problems found, as "path: message"; empty means valid.
    func validate(_ instance: Any) -> [String] {
        var problems: [String] = []
        check(instance, against: root, path: "$", problems: &problems)
        return problems
    }

    private func resolve(_ schema: [String: Any]) -> [String: Any] {
        var current = schema
        var hops = 0
        while let ref = current["$ref"] as? String, hops < 32 {
            hops += 1
            var node: Any = root
            for part in ref.dropFirst(2).split(separator: "/") {
                guard let object = node as? [String: Any], let next = object[String(part)] else { return [:] }
                node = next
            }
            current = node as? [String: Any] ?? [:]
        }
        return current
    }

    /// JSONSerialization gives booleans as NSNumber too; on both Darwin and Linux their objCType is "c".
    private static func isBool(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    private static func typeMatches(_ value: Any, _ type: String) -> Bool {
        switch type {
        case "null": return value is NSNull
        case "boolean": return isBool(value)
        case "string": return value is String
        case "array": return value is [Any]
        case "object": return value is [String: Any]
        case "integer":
            guard !isBool(value), let number = value as? NSNumber else { return false }
            return number.doubleValue.rounded() == number.doubleValue
        case "number":
            return !isBool(value) && value is NSNumber
        default:
            return false
        }
    }

    private static func equal(_ a: Any, _ b: Any) -> Bool {
        if let a = a as? String, let b = b as? String { return a == b }
        if let a = a as? NSNumber, let b = b as? NSNumber { return isBool(a) == isBool(b) && a == b }
        if a is NSNull && b is NSNull { return true }
        return false
    }

    private func check(_ value: Any, against rawSchema: [String: Any], path: String, problems: inout [String]) {
        let schema = resolve(rawSchema)
        if let options = (schema["anyOf"] ?? schema["oneOf"]) as? [[String: Any]] {
            let matching = options.filter { option in
                var scratch: [String] = []
                check(value, against: option, path: path, problems: &scratch)
                return scratch.isEmpty
            }
            if matching.isEmpty { problems.append("\(path): matches no anyOf/oneOf branch") }
            if schema["oneOf"] != nil && matching.count > 1 { problems.append("\(path): matches several oneOf branches") }
        }
        for part in schema["allOf"] as? [[String: Any]] ?? [] {
            check(value, against: part, path: path, problems: &problems)
        }
        if let type = schema["type"] as? String, !Self.typeMatches(value, type) {
            problems.append("\(path): expected \(type), got \(value)")
            return
        }
        if let types = schema["type"] as? [String], !types.contains(where: { Self.typeMatches(value, $0) }) {
            problems.append("\(path): expected one of \(types), got \(value)")
            return
        }
        if let options = schema["enum"] as? [Any], !options.contains(where: { Self.equal($0, value) }) {
            problems.append("\(path): \(value) not in enum \(options)")
        }
        if let constant = schema["const"], !Self.equal(constant, value) {
            problems.append("\(path): \(value) is not const \(constant)")
        }
        if let string = value as? String {
            let length = string.unicodeScalars.count
            if let min = schema["minLength"] as? Int, length < min { problems.append("\(path): shorter than \(min)") }
            if let max = schema["maxLength"] as? Int, length > max { problems.append("\(path): longer than \(max)") }
        }
        if let number = value as? NSNumber, !Self.isBool(value) {
            let x = number.doubleValue
            if let min = (schema["minimum"] as? NSNumber)?.doubleValue, x < min { problems.append("\(path): \(x) < minimum \(min)") }
            if let max = (schema["maximum"] as? NSNumber)?.doubleValue, x > max { problems.append("\(path): \(x) > maximum \(max)") }
            if let min = (schema["exclusiveMinimum"] as? NSNumber)?.doubleValue, x <= min { problems.append("\(path): \(x) <= exclusiveMinimum \(min)") }
            if let max = (schema["exclusiveMaximum"] as? NSNumber)?.doubleValue, x >= max { problems.append("\(path): \(x) >= exclusiveMaximum \(max)") }
            if let step = (schema["multipleOf"] as? NSNumber)?.doubleValue, step > 0 {
                let ratio = x / step
                if abs(ratio - ratio.rounded()) > 1e-9 { problems.append("\(path): \(x) not a multiple of \(step)") }
            }
        }
        if let array = value as? [Any] {
            if let min = schema["minItems"] as? Int, array.count < min { problems.append("\(path): fewer than \(min) items") }
            if let max = schema["maxItems"] as? Int, array.count > max { problems.append("\(path): more than \(max) items") }
            let prefix = schema["prefixItems"] as? [[String: Any]] ?? []
            for (index, item) in array.enumerated() {
                if index < prefix.count {
                    check(item, against: prefix[index], path: "\(path)[\(index)]", problems: &problems)
                } else if let items = schema["items"] as? [String: Any] {
                    check(item, against: items, path: "\(path)[\(index)]", problems: &problems)
                } else if schema["items"] as? Bool == false {
                    problems.append("\(path)[\(index)]: no items allowed past the prefix")
                }
            }
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                problems.append("\(path): missing required \(name)")
            }
            for (name, child) in object {
                if let property = properties[name] as? [String: Any] {
                    check(child, against: property, path: "\(path).\(name)", problems: &problems)
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(path): unexpected property \(name)")
                }
            }
        }
    }
}
