import Yams

/// Turns the endpoints file into `Endpoint`s, with errors that point at the line and field. Works on the
/// YAML node tree (not Codable) because only the nodes carry line numbers.
struct EndpointFileParser {
    let file: String

    static let fields: Set<String> = [
        "name", "base_url", "model", "api_key_env", "headers", "rpm", "tpm", "max_in_flight", "timeout_seconds",
        "price_per_million_input", "price_per_million_output", "cache_namespace",
    ]

    func parse(_ yaml: String) throws(EndpointConfigurationError) -> EndpointRegistry {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw EndpointConfigurationError(code: .invalidYAML, message: "not valid YAML: \(error)", file: file)
        }
        guard let root, let top = root.mapping else {
            throw EndpointConfigurationError(
                code: .invalidYAML, message: "expected a mapping with an 'endpoints' key", file: file, line: root?.mark?.line)
        }
        for (key, _) in top where key.string != "endpoints" {
            throw error(.unknownField, "unknown top-level key '\(key.string ?? "?")' (expected 'endpoints')", key, field: key.string)
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
            let endpoint = try endpoint(item.node, path: item.path, impliedName: item.implied)
            if let first = firstLines[endpoint.name] {
                throw error(.duplicateName, "endpoint '\(endpoint.name)' is defined twice (first at line \(first))", item.node, field: "\(item.path).name")
            }
            firstLines[endpoint.name] = item.node.mark?.line ?? 0
            endpoints.append(endpoint)
        }
        return try EndpointRegistry(endpoints, source: file)
    }

    private func endpoint(_ node: Node, path: String, impliedName: (String, Node)?) throws(EndpointConfigurationError) -> Endpoint {
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
                guard let headerName = key.string, !headerName.isEmpty, let headerValue = value.scalar?.string else {
                    throw error(.invalidValue, "header names and values must be strings", key, field: "\(path).headers")
                }
                if headerName.lowercased() == "authorization" {
                    throw error(
                        .invalidValue, "put the API key in the environment variable named by 'api_key_env', not in 'headers'",
                        key, field: "\(path).headers.\(headerName)")
                }
                headers[headerName] = headerValue
            }
        }
        var endpoint = Endpoint(name: name, baseURL: baseURL, model: try required("model"))
        endpoint.apiKeyEnv = try optionalString("api_key_env")
        endpoint.headers = headers
        endpoint.rpm = try positiveInt("rpm")
        endpoint.tpm = try positiveInt("tpm")
        endpoint.maxInFlight = try positiveInt("max_in_flight") ?? endpoint.maxInFlight
        endpoint.timeoutSeconds = try nonNegativeDouble("timeout_seconds", positive: true) ?? endpoint.timeoutSeconds
        endpoint.pricePerMillionInput = try nonNegativeDouble("price_per_million_input") ?? 0
        endpoint.pricePerMillionOutput = try nonNegativeDouble("price_per_million_output") ?? 0
        endpoint.cacheNamespace = try optionalString("cache_namespace")
        return endpoint
    }

    private func error(_ code: EndpointConfigurationError.Code, _ message: String, _ node: Node, field: String?) -> EndpointConfigurationError {
        EndpointConfigurationError(code: code, message: message, file: file, line: node.mark?.line, field: field)
    }
}
