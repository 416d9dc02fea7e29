import Foundation

/// StackExchange bodies are HTML; prompts, anchors and the judge want the text a reader sees.
///
/// Tags are dropped (`<script>`, `<style>` and comments with their content), block elements (`p`, `br`,
/// `li`, `pre`, headings, …) become line breaks, character references are decoded, and whitespace is
/// collapsed outside `<pre>` (code keeps its lines and indentation). A `<` that does not start a tag
/// (`a < b`) is text.
public enum HTMLText {
    /// The visible text of `html`.
    public static func plain(_ html: String) -> String {
        guard html.contains("<") || html.contains("&") else { return collapse(html, preformatted: []) }
        var output: [Character] = []
        var preformatted: [Range<Int>] = []
        var preStart: Int?
        var preDepth = 0
        let characters = Array(html)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "<", let tag = Tag(characters, at: index) {
                if let skipTo = tag.skipsContent(in: characters) {
                    index = skipTo
                    continue
                }
                if tag.name == "pre" {
                    if tag.closing {
                        preDepth = max(0, preDepth - 1)
                        if preDepth == 0, let start = preStart {
                            preformatted.append(start..<output.count)
                            preStart = nil
                        }
                    } else {
                        if preDepth == 0 { preStart = output.count + 1 }
                        preDepth += 1
                    }
                }
                if tag.name == "li" {
                    // Each item starts its own line; the closing tag adds nothing.
                    if !tag.closing { output.append(contentsOf: "\n- ") }
                } else if Self.blockTags.contains(tag.name) {
                    output.append("\n")
                }
                index = tag.end
                continue
            }
            if character == "&", let (decoded, end) = entity(characters, at: index) {
                output.append(contentsOf: decoded)
                index = end
                continue
            }
            output.append(character)
            index += 1
        }
        if let start = preStart { preformatted.append(start..<output.count) }
        return collapse(String(output), preformatted: preformatted)
    }

    static let blockTags: Set<String> = [
        "p", "br", "div", "li", "ul", "ol", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "tr", "table", "dl", "dt", "dd",
    ]

    /// A tag starting at `<`: `<name …>`, `</name>`, `<!-- … -->`, `<!DOCTYPE …>`.
    struct Tag {
        var name: String
        var closing: Bool
        var end: Int
        var comment: Bool

        init?(_ characters: [Character], at start: Int) {
            var index = start + 1
            guard index < characters.count else { return nil }
            if characters[index] == "!" {
                if index + 2 < characters.count, characters[index + 1] == "-", characters[index + 2] == "-" {
                    // A comment runs to `-->`, or to the end.
                    var probe = index + 3
                    while probe + 2 < characters.count, !(characters[probe] == "-" && characters[probe + 1] == "-" && characters[probe + 2] == ">") {
                        probe += 1
                    }
                    self.init(name: "!--", closing: false, end: min(probe + 3, characters.count), comment: true)
                    return
                }
                guard let close = characters[index...].firstIndex(of: ">") else { return nil }
                self.init(name: "!", closing: false, end: close + 1, comment: true)
                return
            }
            var closing = false
            if characters[index] == "/" {
                closing = true
                index += 1
            }
            guard index < characters.count, characters[index].isASCII, characters[index].isLetter else { return nil }
            var name = ""
            while index < characters.count, characters[index].isASCII, characters[index].isLetter || characters[index].isNumber {
                name.append(characters[index])
                index += 1
            }
            // Attributes may quote a `>`.
            var quote: Character?
            while index < characters.count {
                let character = characters[index]
                if let open = quote {
                    if character == open { quote = nil }
                } else if character == "\"" || character == "'" {
                    quote = character
                } else if character == ">" {
                    break
                }
                index += 1
            }
            guard index < characters.count else { return nil }
            self.init(name: name.lowercased(), closing: closing, end: index + 1, comment: false)
        }

        init(name: String, closing: Bool, end: Int, comment: Bool) {
            self.name = name
            self.closing = closing
            self.end = end
            self.comment = comment
        }

        /// Where reading resumes for tags whose content is not text (comments, scripts, styles).
        func skipsContent(in characters: [Character]) -> Int? {
            if comment { return end }
            guard !closing, name == "script" || name == "style" else { return nil }
            let closer = Array("</\(name)")
            var probe = end
            while probe + closer.count <= characters.count {
                if zip(characters[probe..<(probe + closer.count)], closer).allSatisfy({ $0.lowercased() == $1.lowercased() }) {
                    return characters[probe...].firstIndex(of: ">").map { $0 + 1 } ?? characters.count
                }
                probe += 1
            }
            return characters.count
        }
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ndash": "–", "mdash": "—", "hellip": "…",
        "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "copy": "©", "reg": "®", "trade": "™", "times": "×", "deg": "°",
    ]

    /// A character reference at `&` (`&amp;`, `&#39;`, `&#x27;`) and where it ends; nil when it is not one.
    static func entity(_ characters: [Character], at start: Int) -> (String, Int)? {
        guard let semicolon = characters[start..<min(characters.count, start + 12)].firstIndex(of: ";") else { return nil }
        let body = String(characters[(start + 1)..<semicolon])
        if body.hasPrefix("#") {
            let digits = body.dropFirst()
            let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            guard let value, let scalar = Unicode.Scalar(value), value != 0 else { return nil }
            return (String(Character(scalar)), semicolon + 1)
        }
        guard let decoded = namedEntities[body] else { return nil }
        return (decoded, semicolon + 1)
    }

    /// Spaces collapsed, lines trimmed and at most one blank line in a row, except inside `preformatted`
    /// ranges (character offsets), which keep their lines.
    static func collapse(_ text: String, preformatted: [Range<Int>]) -> String {
        var lines: [String] = []
        var current = ""
        var offset = 0
        func inPre(_ position: Int) -> Bool { preformatted.contains { $0.contains(position) } }
        for character in text {
            defer { offset += 1 }
            if character == "\n" || character == "\r\n" || character == "\r" {
                lines.append(inPre(offset) ? current : current.trimmingCharacters(in: .whitespaces))
                current = ""
                continue
            }
            if !inPre(offset), character.isWhitespace {
                if !current.isEmpty, current.last != " " { current.append(" ") }
                continue
            }
            current.append(character)
        }
        lines.append(current.trimmingCharacters(in: .whitespaces))
        var result: [String] = []
        for line in lines {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if let last = result.last, !last.isEmpty { result.append("") }
            } else {
                result.append(line)
            }
        }
        while result.last?.isEmpty == true { result.removeLast() }
        return result.joined(separator: "\n")
    }
}
