extension String {
    /// The text with every character that could act on a terminal or reorder what follows shown as an
    /// escape (`\u{1B}`): C0 and C1 controls (tabs and newlines included), DEL, and the bidirectional
    /// marks, embeddings, overrides and isolates (U+202E …). For printing names and excerpts that came
    /// from users' files.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: Self.isUnsafeForDisplay) else { return self }
        var escaped = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if Self.isUnsafeForDisplay(scalar) {
                escaped.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    /// Whether the text holds a character `escapingControlCharacters` would escape.
    public var containsControlCharacters: Bool { unicodeScalars.contains(where: Self.isUnsafeForDisplay) }

    static func isUnsafeForDisplay(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
