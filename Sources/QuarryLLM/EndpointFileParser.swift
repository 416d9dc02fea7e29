import Foundation
import QuarryJSON
import Yams

/// Turns the endpoints file into `Endpoint`s, with errors that point at the line and field. Works on the
/// YAML node tree (not Codable) because only the nodes carry line numbers.
struct EndpointFileParser {
    let file: String

    static let fields: Set<String> = [
        "name", "base_url", "model", "api_key_env", "headers", "rpm", "tpm", "max_in_flight", "timeout_seconds",
        "price_per_million_input", "price_per_million_output", "cache_namespace",
    ]

    /// Header names that carry credentials: refused inline (the key belongs in `api_key_env`). The
    /// file's top-level `credential_headers` list adds more.
    static let credentialHeaders: Set<String> = ["authorization", "proxy-authorization", "api-key", "x-api-key"]

    /// `timeout_seconds` bounds: a request waits at least a second and at most an hour.
    static let timeoutRange: ClosedRange<Double> = 1...3_600
    /// `rpm`, `tpm` and `max_in_flight` bounds.
    static let rateRange: ClosedRange<Int> = 1...100_000_000
    static let inFlightRange: ClosedRange<Int> = 1...100_000

    /// Where a YAML error is, without the text around it: the offending line may hold a secret.
    static func yamlProblem(_ error: any Error) -> (message: String, line: Int?) {
        guard let error = error as? YamlError else { return ("not valid YAML", nil) }
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ("not valid YAML: \(problem) (line \(mark.line), column \(mark.column))", mark.line)
        case .reader(let problem, _, _, _):
            return ("not readable as YAML: \(problem)", nil)
        default:
            return ("not valid YAML", nil)
        }
    }

    /// RFC 9110 token characters, the only ones a header name may have.
    static func isHeaderToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }

    func parse(_ yaml: String) throws(EndpointConfigurationError) -> EndpointRegistry {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            let problem = Self.yamlProblem(error)
            throw EndpointConfigurationError(code: .invalidYAML, message: problem.message, file: file, line: problem.line)
        }
        guard let root, let top = root.mapping else {
            throw EndpointConfigurationError(
                code: .invalidYAML, message: "expected a mapping with an 'endpoints' key", file: file, line: root?.mark?.line)
        }
        for (key, _) in top where key.string != "endpoints" && key.string != "credential_headers" {
            throw error(
                .unknownField, "unknown top-level key '\(key.string ?? "?")' (expected 'endpoints' or 'credential_headers')", key, field: key.string)
        }
        var credentialHeaders = Self.credentialHeaders
        if let extra = top["credential_headers"], extra.null == nil {
            guard let names = extra.sequence?.map({ $0.scalar?.string }), let strings = names as? [String] else {
                throw error(.invalidValue, "'credential_headers' must be a list of header names", extra, field: "credential_headers")
            }
            credentialHeaders.formUnion(strings.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        }
        guard let list = top["endpoints"] else {
            throw EndpointConfigurationError(
                code: .missingField, message: "no 'endpoints' key", file: file, line: root.mark?.line, field: "endpoints")
        }
        var items: [(node: Node, path: String, implied: (String, Node)?)] = []
        if let sequence = list.sequence {
            for (index, item) in sequence.enumerated() { items.append((item, "endpoints[\(index)]", nil)) }
        } else if let mapping = list.mapping {
            for (key, item) in mapping {
                guard let name = key.string, !name.isEmpty else {
                    throw error(.invalidValue, "endpoint names must be non-empty strings", key, field: "endpoints")
                }
                items.append((item, "endpoints.\(name)", (name, key)))
            }
        } else {
            throw error(.invalidValue, "'endpoints' must be a list (or a mapping of name to endpoint)", list, field: "endpoints")
        }
        var endpoints: [Endpoint] = []
        var firstLines: [String: Int] = [:]
        for item in items {
            let endpoint = try endpoint(item.node, path: item.path, impliedName: item.implied, credentialHeaders: credentialHeaders)
            if let first = firstLines[endpoint.name] {
                throw error(.duplicateName, "endpoint '\(endpoint.name)' is defined twice (first at line \(first))", item.node, field: "\(item.path).name")
            }
            firstLines[endpoint.name] = item.node.mark?.line ?? 0
            endpoints.append(endpoint)
        }
        return try EndpointRegistry(endpoints, source: file)
    }

    private func endpoint(
        _ node: Node, path: String, impliedName: (String, Node)?, credentialHeaders: Set<String>
    ) throws(EndpointConfigurationError) -> Endpoint {
        guard let mapping = node.mapping else {
            throw error(.invalidValue, "each endpoint must be a mapping of fields", node, field: path)
        }
        for (key, _) in mapping {
            guard let name = key.string, Self.fields.contains(name) else {
                let known = Self.fields.sorted().joined(separator: ", ")
                throw error(.unknownField, "unknown field '\(key.string ?? "?")' (fields: \(known))", key, field: "\(path).\(key.string ?? "?")")
            }
        }
        func required(_ field: String) throws(EndpointConfigurationError) -> String {
            guard let value = mapping[field] else {
                throw error(.missingField, "missing required field '\(field)'", node, field: "\(path).\(field)")
            }
            guard let text = value.scalar?.string, !text.isEmpty else {
                throw error(.invalidValue, "'\(field)' must be a non-empty string", value, field: "\(path).\(field)")
            }
            return text
        }
        func optionalString(_ field: String) throws(EndpointConfigurationError) -> String? {
            guard let value = mapping[field], value.null == nil else { return nil }
            guard let text = value.scalar?.string, !text.isEmpty else {
                throw error(.invalidValue, "'\(field)' must be a non-empty string", value, field: "\(path).\(field)")
            }
            return text
        }
        func positiveInt(_ field: String) throws(EndpointConfigurationError) -> Int? {
            guard let value = mapping[field], value.null == nil else { return nil }
            guard let number = value.int, number > 0 else {
                throw error(.invalidValue, "'\(field)' must be a positive whole number, not '\(value.scalar?.string ?? "?")'", value, field: "\(path).\(field)")
            }
            return number
        }
        func nonNegativeDouble(_ field: String, positive: Bool = false) throws(EndpointConfigurationError) -> Double? {
            guard let value = mapping[field], value.null == nil else { return nil }
            guard let number = value.float ?? value.int.map(Double.init), number.isFinite, positive ? number > 0 : number >= 0 else {
                let bound = positive ? "a positive number" : "a number >= 0"
                throw error(.invalidValue, "'\(field)' must be \(bound), not '\(value.scalar?.string ?? "?")'", value, field: "\(path).\(field)")
            }
            return number
        }

        let name: String
        if let (implied, keyNode) = impliedName {
            if let explicit = try optionalString("name"), explicit != implied {
                throw error(.invalidValue, "name '\(explicit)' differs from its key '\(implied)'", keyNode, field: "\(path).name")
            }
            name = implied
        } else {
            name = try required("name")
        }
        let baseURL = try required("base_url")
        guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") else {
            throw error(.invalidValue, "'base_url' must start with http:// or https://", mapping["base_url"] ?? node, field: "\(path).base_url")
        }
        if baseURL.contains("@") || baseURL.contains("?") {
            // Credentials or query keys in the URL would be stored and logged like any other config.
            throw error(
                .invalidValue, "'base_url' must not carry credentials or a query string; put the key in the variable named by api_key_env",
                mapping["base_url"] ?? node, field: "\(path).base_url")
        }
        var headers: [String: String] = [:]
        if let headerNode = mapping["headers"], headerNode.null == nil {
            guard let headerMapping = headerNode.mapping else {
                throw error(.invalidValue, "'headers' must be a mapping of header name to value", headerNode, field: "\(path).headers")
            }
            for (key, value) in headerMapping {
                // Messages name the header, never its value: a value may be a secret.
                guard let rawName = key.string, let headerValue = value.scalar?.string else {
                    throw error(.invalidValue, "header names and values must be strings", key, field: "\(path).headers")
                }
                let headerName = rawName.trimmingCharacters(in: .whitespaces)
                guard Self.isHeaderToken(headerName) else {
                    throw error(
                        .invalidValue, "header name '\(rawName.escapingControlCharacters)' is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)",
                        key, field: "\(path).headers")
                }
                if credentialHeaders.contains(headerName.lowercased()) {
                    throw error(
                        .invalidValue,
                        "'\(headerName)' carries credentials: put the key in the environment variable named by 'api_key_env', not in 'headers'",
                        key, field: "\(path).headers.\(headerName)")
                }
                if headerValue.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
                    throw error(
                        .invalidValue, "the value of header '\(headerName)' contains a line break or control character",
                        value, field: "\(path).headers.\(headerName)")
                }
                headers[headerName] = headerValue.trimmingCharacters(in: .whitespaces)
            }
        }
        var endpoint = Endpoint(name: name, baseURL: baseURL, model: try required("model"))
        endpoint.apiKeyEnv = try optionalString("api_key_env")
        endpoint.headers = headers
        func bounded<T: Comparable>(_ field: String, _ value: T?, _ range: ClosedRange<T>, unit: String = "") throws(EndpointConfigurationError) -> T? {
            guard let value else { return nil }
            guard range.contains(value) else {
                throw error(
                    .invalidValue, "'\(field)' must be between \(range.lowerBound)\(unit) and \(range.upperBound)\(unit), not \(value)",
                    mapping[field] ?? node, field: "\(path).\(field)")
            }
            return value
        }
        endpoint.rpm = try bounded("rpm", try positiveInt("rpm"), Self.rateRange)
        endpoint.tpm = try bounded("tpm", try positiveInt("tpm"), Self.rateRange)
        endpoint.maxInFlight = try bounded("max_in_flight", try positiveInt("max_in_flight"), Self.inFlightRange) ?? endpoint.maxInFlight
        endpoint.timeoutSeconds =
            try bounded("timeout_seconds", try nonNegativeDouble("timeout_seconds", positive: true), Self.timeoutRange, unit: " s") ?? endpoint.timeoutSeconds
        endpoint.pricePerMillionInput = try nonNegativeDouble("price_per_million_input") ?? 0
        endpoint.pricePerMillionOutput = try nonNegativeDouble("price_per_million_output") ?? 0
        endpoint.cacheNamespace = try optionalString("cache_namespace")
        return endpoint
    }

    private func error(_ code: EndpointConfigurationError.Code, _ message: String, _ node: Node, field: String?) -> EndpointConfigurationError {
        EndpointConfigurationError(code: code, message: message, file: file, line: node.mark?.line, field: field)
    }
}
