import Foundation

/// A condition on a completed task's output (a JSON object) that decides whether an edge fires:
/// comparisons of top-level fields with numbers, strings, booleans or build parameters, combined with
/// AND, OR and NOT. Compiled to an SQL/JSON path whose every value is bound as a variable, so nothing a
/// recipe or a spec supplies is spliced into SQL text.
public indirect enum GraphPredicate: Sendable, Equatable, Codable {
    public enum Comparison: String, Sendable, Equatable, Codable {
        case equal = "=="
        case notEqual = "!="
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
    }

    public enum Operand: Sendable, Equatable, Codable {
        case number(Double)
        case string(String)
        case bool(Bool)
        /// The build's parameter of that name (`BuildGraph.parameters`).
        case parameter(String)
    }

    case compare(field: String, Comparison, Operand)
    case exists(field: String)
    case and([GraphPredicate])
    case or([GraphPredicate])
    case not(GraphPredicate)

    public static func isTrue(_ field: String) -> GraphPredicate { .compare(field: field, .equal, .bool(true)) }
    public static func isFalse(_ field: String) -> GraphPredicate { .compare(field: field, .equal, .bool(false)) }
    public static func equals(_ field: String, _ value: String) -> GraphPredicate { .compare(field: field, .equal, .string(value)) }

    /// The path (`$ ? (…)`, true when the output satisfies the predicate) and its variables as a JSON
    /// object: literals as `$v1`, `$v2`…, the build's parameters as `$params`.
    public func jsonPath(parameters: String) -> (path: String, variables: String) {
        var literals: [String] = []
        let filter = compile(&literals)
        var members = literals.enumerated().map { "\"v\($0.offset + 1)\":\($0.element)" }
        members.append("\"params\":\(parameters)")
        return ("$ ? (\(filter))", "{" + members.joined(separator: ",") + "}")
    }

    private func compile(_ literals: inout [String]) -> String {
        switch self {
        case .compare(let field, let comparison, let operand):
            let value: String
            switch operand {
            case .number(let number):
                literals.append(number.isFinite ? "\(number)" : "null")
                value = "$v\(literals.count)"
            case .string(let text):
                literals.append(Self.jsonString(text))
                value = "$v\(literals.count)"
            case .bool(let flag):
                literals.append(flag ? "true" : "false")
                value = "$v\(literals.count)"
            case .parameter(let name):
                value = "$params." + Self.jsonString(name)
            }
            return "@.\(Self.jsonString(field)) \(comparison.rawValue) \(value)"
        case .exists(let field):
            return "exists (@.\(Self.jsonString(field)))"
        case .and(let parts):
            return parts.isEmpty ? "1 == 1" : "(" + parts.map { $0.compile(&literals) }.joined(separator: " && ") + ")"
        case .or(let parts):
            return parts.isEmpty ? "1 == 0" : "(" + parts.map { $0.compile(&literals) }.joined(separator: " || ") + ")"
        case .not(let inner):
            return "!(" + inner.compile(&literals) + ")"
        }
    }

    /// A JSON string literal: how values are bound, and how member names are quoted in the path (jsonpath
    /// accepts JSON string syntax there).
    static func jsonString(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = (try? encoder.encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
