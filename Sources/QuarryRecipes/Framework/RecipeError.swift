/// Why a build spec, its input or an export could not be used. The description names the place
/// (`file:line (field)`) so the person fixing it does not have to search.
public struct RecipeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable enough to switch on and to assert in tests.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The spec file (or a prompt override) cannot be read.
        public static let unreadableSpec = Code(rawValue: "unreadable_spec")
        /// The spec is not valid YAML, or not a mapping.
        public static let invalidYAML = Code(rawValue: "invalid_yaml")
        /// A required spec field is absent.
        public static let missingField = Code(rawValue: "missing_field")
        /// A spec field the format does not have (often a typo).
        public static let unknownField = Code(rawValue: "unknown_field")
        /// A field has the wrong type or an out-of-range value.
        public static let invalidValue = Code(rawValue: "invalid_value")
        /// No recipe of that name in the catalog.
        public static let unknownRecipe = Code(rawValue: "unknown_recipe")
        /// A parameter the recipe does not have.
        public static let unknownParameter = Code(rawValue: "unknown_parameter")
        /// A role the recipe does not have, or a required role left unmapped.
        public static let unknownRole = Code(rawValue: "unknown_role")
        public static let missingRole = Code(rawValue: "missing_role")
        /// A role mapped to an endpoint the endpoints file does not define.
        public static let unknownEndpoint = Code(rawValue: "unknown_endpoint")
        /// The endpoints file could not be used.
        public static let endpointsFile = Code(rawValue: "endpoints_file")
        /// A prompt name the recipe does not have, or a template it cannot render.
        public static let unknownPrompt = Code(rawValue: "unknown_prompt")
        public static let invalidPrompt = Code(rawValue: "invalid_prompt")
        /// A recipe's graph creates a kind that no handler is registered for (a programming error, caught at startup).
        public static let missingHandler = Code(rawValue: "missing_handler")
        /// The input file cannot be opened or read.
        public static let unreadableInput = Code(rawValue: "unreadable_input")
        /// The input file's structure is broken beyond single records (e.g. a JSON file that is not an array).
        public static let invalidInput = Code(rawValue: "invalid_input")
        /// Every record was rejected (or there were none).
        public static let noRecords = Code(rawValue: "no_records")
        /// A build's stored spec does not decode (written by another version?).
        public static let invalidStoredSpec = Code(rawValue: "invalid_stored_spec")
        /// No build with that id.
        public static let unknownBuild = Code(rawValue: "unknown_build")
        /// Writing export files failed.
        public static let exportFailed = Code(rawValue: "export_failed")
    }

    public var code: Code
    public var message: String
    /// The file the problem is in (spec, input, prompt), when there is one.
    public var file: String?
    /// 1-based line in `file`, when known.
    public var line: Int?
    /// The offending field, as a path (`input.fields.passage`, `parameters.top_k`).
    public var field: String?

    public init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.field = field
    }

    public var description: String {
        var location = file ?? ""
        if let line { location += location.isEmpty ? "line \(line)" : ":\(line)" }
        if let field { location += location.isEmpty ? field : " (\(field))" }
        return location.isEmpty ? "[\(code)] \(message)" : "[\(code)] \(location): \(message)"
    }
}
