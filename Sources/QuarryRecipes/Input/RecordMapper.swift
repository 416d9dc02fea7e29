import QuarryJSON
import Foundation
import QuarryLLM
import QuarryQueue

/// What became of one input record.
public enum RecordOutcome: Sendable, Equatable {
    case accepted(BuildRecord)
    case rejected(RejectedRecord)
}

/// Turns raw records into build records with the recipe's field names, or into rejects that say what
/// is wrong and where. Build records hold only the mapped fields (`{"passage": …, "topic": …}`), so
/// handlers never see the source's field names, and the retrievable field also becomes the record's
/// search text.
public struct RecordMapper: Sendable {
    public static let excerptBytes = 160

    /// (recipe field, record field, required).
    let fields: [(name: String, source: String, required: Bool)]
    let retrievable: String?
    let limit: Int

    public init(recipe: any Recipe, input: StoredBuildSpec.Input) {
        fields = recipe.inputFields.map { ($0.name, input.fields[$0.name] ?? $0.name, $0.required) }
        retrievable = recipe.inputFields.first(where: \.retrievable)?.name
        limit = input.maxRecordBytes
    }

    public func map(_ raw: RawRecord) -> RecordOutcome {
        func reject(_ reason: String) -> RecordOutcome {
            .rejected(RejectedRecord(line: raw.line, reason: reason, excerpt: Self.excerpt(raw.bytes)))
        }
        if let problem = raw.structuralProblem { return reject(problem) }
        if raw.oversized {
            return reject("record is \(raw.size) bytes, over the limit of \(limit) bytes (input.max_record_bytes)")
        }
        if raw.unterminated { return reject("malformed JSON: the file ends inside this record (unclosed string or bracket)") }
        // Fast paths first (the standard library's validator, Foundation's parser); the slow ones only
        // run for a bad record, to say exactly what is wrong with it.
        let data = Data(raw.bytes)
        if String(validating: raw.bytes, as: UTF8.self) == nil {
            return reject("invalid UTF-8 at byte \(Self.invalidUTF8Offset(raw.bytes) ?? 0) of the record")
        }
        guard let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            return reject("malformed JSON: \(Self.parseProblem(raw.bytes))")
        }
        guard let object = parsed as? [String: Any] else { return reject("not a JSON object (each record must be {…})") }
        var mapped: [String: String] = [:]
        for field in fields {
            guard let found = Self.lookup(field.source, in: object), !(found is NSNull) else {
                if field.required { return reject("missing field '\(field.source)' (mapped to \(field.name))") }
                continue
            }
            let text: String
            if let string = found as? String {
                text = string
            } else if let number = found as? NSNumber {
                text = number.stringValue
            } else {
                return reject("field '\(field.source)' (mapped to \(field.name)) must be a string or a number")
            }
            if field.required && text.allSatisfy(\.isWhitespace) {
                return reject("field '\(field.source)' (mapped to \(field.name)) is empty")
            }
            mapped[field.name] = text
        }
        guard let json = try? JSONSerialization.data(withJSONObject: mapped, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return reject("the mapped fields cannot be encoded as JSON")
        }
        return .accepted(BuildRecord(line: raw.line, json: String(decoding: json, as: UTF8.self), text: retrievable.flatMap { mapped[$0] }))
    }

    /// A field by name, or by dotted path into nested objects (`meta.title`) when no key has the dots.
    static func lookup(_ path: String, in object: [String: Any]) -> Any? {
        if let direct = object[path] { return direct }
        var current: Any? = object
        for part in path.split(separator: ".") { current = (current as? [String: Any])?[String(part)] }
        return current
    }

    /// What the (slower, more talkative) JSON decoder says is wrong with `bytes`.
    static func parseProblem(_ bytes: [UInt8]) -> String {
        do {
            _ = try JSONValue.parse(bytes)
            return "not parseable"
        } catch {
            return describe(error)
        }
    }

    /// The offset of the first byte that is not valid UTF-8, or nil.
    static func invalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// The start of a record for reject reports: at most `excerptBytes`, on one line, lossily decoded.
    static func excerpt(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(excerptBytes), as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    /// A parser error without Foundation's boilerplate around it.
    static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            if let underlying = context.underlyingError { return "\(underlying)" }
            return context.debugDescription
        }
        return "\(error)"
    }
}
