import QuarryJSON

/// What shape the model must answer in (`response_format`).
public enum ResponseFormat: Sendable, Hashable {
    case text
    /// Any JSON object.
    case jsonObject
    /// A JSON document matching `schema` (a JSON Schema object).
    case jsonSchema(name: String, schema: JSONValue, strict: Bool)

    var json: JSONValue {
        switch self {
        case .text:
            return ["type": "text"]
        case .jsonObject:
            return ["type": "json_object"]
        case .jsonSchema(let name, let schema, let strict):
            return ["type": "json_schema", "json_schema": ["name": .string(name), "schema": schema, "strict": .bool(strict)]]
        }
    }

    /// Reads the wire form (as task payloads carry it).
    init?(json: JSONValue) {
        switch json["type"]?.stringValue {
        case "text"?: self = .text
        case "json_object"?: self = .jsonObject
        case "json_schema"?:
            guard let schema = json["json_schema"]?["schema"], schema.objectValue != nil else { return nil }
            self = .jsonSchema(
                name: json["json_schema"]?["name"]?.stringValue ?? "response", schema: schema,
                strict: json["json_schema"]?["strict"]?.boolValue ?? false)
        default: return nil
        }
    }

    /// Whether the answer must be JSON.
    public var expectsJSON: Bool {
        if case .text = self { return false }
        return true
    }
}
