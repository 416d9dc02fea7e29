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
    /// Fields that may be lists (`ListInputFields`).
    let lists: Set<String>

    public init(recipe: any Recipe, input: StoredBuildSpec.Input) {
        fields = recipe.inputFields.map { ($0.name, input.fields[$0.name] ?? $0.name, $0.required) }
        retrievable = recipe.inputFields.first(where: \.retrievable)?.name
        limit = input.maxRecordBytes
        lists = (recipe as? any ListInputFields)?.listInputFields ?? []
    }

    public func map(_ raw: RawRecord) -> RecordOutcome {
        func reject(_ reason: String) -> RecordOutcome {
            .rejected(RejectedRecord(line: raw.line, position: raw.position, reason: reason, excerpt: Self.excerpt(raw.bytes)))
        }
        if let problem = raw.structuralProblem { return reject(problem) }
        if raw.oversized {
            return reject("record is \(raw.size) bytes, over the limit of \(limit) bytes (input.max_record_bytes)")
        }
        if raw.unterminated { return reject("malformed JSON: the file ends inside this record (unclosed string or bracket)") }
        if String(validating: raw.bytes, as: UTF8.self) == nil {
            return reject("invalid UTF-8 at byte \(Self.invalidUTF8Offset(raw.bytes) ?? 0) of the record")
        }
        // QuarryJSON's parser: strict RFC 8259 (no trailing commas, comments or bare words), as documented.
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(raw.bytes)
        } catch {
            return reject("malformed JSON: \(Self.describe(error))")
        }
        // A recipe that reads one field also takes bare strings (a JSON list of names, as published seed
        // lists are): the string is that field.
        let object: [String: JSONValue]
        if let members = parsed.objectValue {
            object = members
        } else if case .string = parsed, fields.count == 1, let only = fields.first {
            object = [only.source: parsed]
        } else {
            return reject(fields.count == 1 ? "not a JSON object or string (each record must be {…} or \"…\")" : "not a JSON object (each record must be {…})")
        }
        var mapped: [String: String] = [:]
        var listed: [String: [String]] = [:]
        for field in fields {
            guard let found = Self.lookup(field.source, in: object), !found.isNull else {
                if field.required { return reject("missing field '\(field.source)' (mapped to \(field.name))") }
                continue
            }
            if lists.contains(field.name), case .array(let items) = found {
                var texts: [String] = []
                for item in items {
                    switch item {
                    case .string(let string) where !string.unicodeScalars.contains("\u{0}"): texts.append(string)
                    case .int(let number): texts.append(String(number))
                    case .double(let number): texts.append(String(number))
                    default:
                        return reject("field '\(field.source)' (mapped to \(field.name)) must be a list of strings (without NUL characters)")
                    }
                }
                listed[field.name] = texts
                continue
            }
            let text: String
            switch found {
            case .string(let string): text = string
            case .int(let number): text = String(number)
            case .double(let number): text = String(number)
            default:
                return reject("field '\(field.source)' (mapped to \(field.name)) must be a string or a number")
            }
            // PostgreSQL text and jsonb cannot hold U+0000: a record with one is a reject, not a failed load.
            if text.unicodeScalars.contains("\u{0}") {
                return reject("field '\(field.source)' (mapped to \(field.name)) contains a NUL character (\\u0000), which PostgreSQL cannot store")
            }
            if field.required && text.allSatisfy(\.isWhitespace) {
                return reject("field '\(field.source)' (mapped to \(field.name)) is empty")
            }
            mapped[field.name] = text
        }
        var members = mapped.mapValues(JSONValue.string)
        for (name, texts) in listed { members[name] = .array(texts.map(JSONValue.string)) }
        let json = JSONValue.object(members).canonicalString
        return .accepted(BuildRecord(line: raw.line, position: raw.position, json: json, text: retrievable.flatMap { mapped[$0] }))
    }

    /// A field by name, or by dotted path into nested objects (`meta.title`) when no key has the dots.
    static func lookup(_ path: String, in object: [String: JSONValue]) -> JSONValue? {
        if let direct = object[path] { return direct }
        var current: JSONValue? = .object(object)
        for part in path.split(separator: ".") { current = current?[String(part)] }
        return current
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

    /// The start of a record for reject reports: at most `excerptBytes` of it, on one line, lossily
    /// decoded, with control characters (NUL above all, which PostgreSQL cannot store) escaped.
    static func excerpt(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(excerptBytes), as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            .escapingControlCharacters
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
