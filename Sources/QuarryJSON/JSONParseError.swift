/// Why a text is not JSON, and where: the byte offset of the first thing that is wrong.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case empty
        case unexpectedEnd = "unexpected_end"
        case unexpectedCharacter = "unexpected_character"
        case invalidNumber = "invalid_number"
        case invalidEscape = "invalid_escape"
        case controlCharacterInString = "control_character_in_string"
        case invalidUTF8 = "invalid_utf8"
        case tooDeep = "too_deep"
        case trailingCharacters = "trailing_characters"
    }

    public var code: Code
    /// Zero-based byte offset into the text.
    public var offset: Int
    public var message: String

    public init(code: Code, offset: Int, message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    public var description: String {
        "invalid JSON at byte \(offset): \(message)"
    }
}
