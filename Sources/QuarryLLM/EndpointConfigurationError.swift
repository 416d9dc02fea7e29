/// Why the endpoints file could not be used. The message names the file, the line and the field; it
/// never contains an API key (the file holds only the names of the variables that do).
public struct EndpointConfigurationError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The file could not be read.
        case unreadable
        /// Not valid YAML.
        case invalidYAML = "invalid_yaml"
        /// A required field is absent.
        case missingField = "missing_field"
        /// A field has the wrong type or an out-of-range value.
        case invalidValue = "invalid_value"
        /// A field the file format does not have (often a typo).
        case unknownField = "unknown_field"
        /// Two endpoints share a name.
        case duplicateName = "duplicate_name"
        /// A name that no endpoint has.
        case unknownEndpoint = "unknown_endpoint"
    }

    public var code: Code
    public var message: String
    public var file: String
    /// 1-based line in `file`, when known.
    public var line: Int?
    /// The offending field, when there is one (`endpoints[2].rpm`).
    public var field: String?

    public init(code: Code, message: String, file: String, line: Int? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.field = field
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let field { location += " (\(field))" }
        return "endpoints file error [\(code.rawValue)] \(location): \(message)"
    }
}
