import QuarryJSON

/// Typed reads of request fields with OpenAI-style 400s, shared by every endpoint's parser.
struct RequestFields {
    let body: [String: JSONValue]

    init(_ json: JSONValue) throws(APIError) {
        guard let body = json.objectValue else {
            throw .invalidRequest("The request body must be a JSON object.", code: "invalid_json")
        }
        self.body = body
    }

    /// A present, non-null value.
    func value(_ key: String) -> JSONValue? {
        guard let value = body[key], !value.isNull else { return nil }
        return value
    }

    func requiredString(_ key: String) throws(APIError) -> String {
        guard let value = value(key) else {
            throw .invalidRequest("Missing required parameter: '\(key)'.", param: key, code: "missing_required_parameter")
        }
        guard let string = value.stringValue, !string.isEmpty else {
            throw .invalidRequest("Invalid type for '\(key)': expected a non-empty string.", param: key, code: "invalid_type")
        }
        return string
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let int = value.intValue else {
            throw .invalidRequest("Invalid type for '\(key)': expected an integer.", param: key, code: "invalid_type")
        }
        guard range.contains(int) else {
            throw .invalidRequest(
                "Invalid '\(key)': \(int) is out of range; expected \(range.lowerBound)...\(range.upperBound).",
                param: key, code: "invalid_value")
        }
        return int
    }

    func double(_ key: String, in range: ClosedRange<Double>) throws(APIError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let double = value.doubleValue else {
            throw .invalidRequest("Invalid type for '\(key)': expected a number.", param: key, code: "invalid_type")
        }
        guard range.contains(double) else {
            throw .invalidRequest(
                "Invalid '\(key)': \(double) is out of range; expected \(range.lowerBound)...\(range.upperBound).",
                param: key, code: "invalid_value")
        }
        return double
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let bool = value.boolValue else {
            throw .invalidRequest("Invalid type for '\(key)': expected a boolean.", param: key, code: "invalid_type")
        }
        return bool
    }

    /// `stop`: a string or an array of up to 4 strings.
    func stopSequences() throws(APIError) -> [String] {
        guard let value = value("stop") else { return [] }
        if let string = value.stringValue { return string.isEmpty ? [] : [string] }
        guard let array = value.arrayValue, array.count <= 4 else {
            throw .invalidRequest("Invalid 'stop': expected a string or an array of up to 4 strings.", param: "stop", code: "invalid_type")
        }
        var result: [String] = []
        for item in array {
            guard let string = item.stringValue else {
                throw .invalidRequest("Invalid 'stop': expected strings.", param: "stop", code: "invalid_type")
            }
            if !string.isEmpty { result.append(string) }
        }
        return result
    }

    /// Streaming is not simulated; refuse it loudly rather than answer in the wrong framing.
    func rejectStreaming() throws(APIError) {
        if (try bool("stream")) == true {
            throw .invalidRequest(
                "The simulator does not support 'stream': true; send non-streaming requests.", param: "stream",
                code: "unsupported_parameter")
        }
    }
}
