import Foundation
import QuarryJSON

extension JSONValue {
    /// Parses a request body (see `JSONParser`: strict JSON, valid UTF-8).
    static func parse(_ data: Data) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = data.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) in try JSONParser.parse(buffer) }
        }
        return try result.get()
    }

    /// Deterministic bytes: canonical JSON (sorted keys, no whitespace, slashes unescaped).
    func encoded() -> Data {
        Data(canonicalBytes)
    }

    func encodedString() -> String {
        canonicalString
    }
}
