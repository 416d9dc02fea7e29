import Foundation

/// The endpoints a process may call, by name, loaded from the endpoints file (`quarry.endpoints.yaml`).
///
/// ```yaml
/// endpoints:
///   - name: sim
///     base_url: http://127.0.0.1:8080/v1
///     model: sim-small
///     api_key_env: SIM_API_KEY        # the variable's name; the key itself never goes in this file
///     headers: {OpenAI-Organization: org-quarry}
///     rpm: 600                        # for the whole worker pool
///     tpm: 200000
///     max_in_flight: 256              # per process
///     timeout_seconds: 60
///     price_per_million_input: 0.15
///     price_per_million_output: 0.60
///     cache_namespace: shared-sim     # optional: endpoints naming it share cached answers
/// ```
///
/// `endpoints` may also be a mapping from name to fields.
public struct EndpointRegistry: Sendable {
    public private(set) var endpoints: [String: Endpoint]
    /// Where the registry came from, for messages.
    public var source: String

    public init(_ endpoints: [Endpoint], source: String = "(in memory)") throws(EndpointConfigurationError) {
        var byName: [String: Endpoint] = [:]
        for endpoint in endpoints {
            guard byName[endpoint.name] == nil else {
                throw EndpointConfigurationError(
                    code: .duplicateName, message: "two endpoints are named '\(endpoint.name)'", file: source, field: "name")
            }
            byName[endpoint.name] = endpoint
        }
        self.endpoints = byName
        self.source = source
    }

    /// Reads and checks the endpoints file at `path`.
    public static func load(path: String) throws(EndpointConfigurationError) -> EndpointRegistry {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EndpointConfigurationError(
                code: .unreadable,
                message: "cannot read the endpoints file (pass --endpoints PATH, or create quarry.endpoints.yaml)",
                file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EndpointConfigurationError(code: .unreadable, message: "the endpoints file is not UTF-8 text", file: path)
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses endpoints-file text; `file` only names it in errors.
    public static func parse(yaml: String, file: String = "(endpoints)") throws(EndpointConfigurationError) -> EndpointRegistry {
        try EndpointFileParser(file: file).parse(yaml)
    }

    public subscript(name: String) -> Endpoint? { endpoints[name] }

    /// The endpoint called `name`, or an error listing the ones there are.
    public func endpoint(named name: String) throws(EndpointConfigurationError) -> Endpoint {
        guard let endpoint = endpoints[name] else {
            let known = endpoints.keys.sorted().joined(separator: ", ")
            throw EndpointConfigurationError(
                code: .unknownEndpoint,
                message: "no endpoint named '\(name)' (configured: \(known.isEmpty ? "none" : known))", file: source)
        }
        return endpoint
    }

    public var names: [String] { endpoints.keys.sorted() }
}
