import Foundation
import QuarryLLM

/// A versioned prompt: `[system]` and `[user]` sections with `{{name}}` placeholders.
///
/// ```
/// [system]
/// You write one question and its answer …
/// [user]
/// <context>{{passage}}</context>
/// ```
///
/// Rendering substitutes in one pass over the template, so a passage that itself contains `{{x}}`
/// stays as it is, and values are stripped of the tags prompts use as delimiters (`<context>` …), so a
/// record cannot close its own block and smuggle text into another one.
public struct PromptTemplate: Sendable, Equatable, Codable {
    /// The prompt's name within its recipe (`verify`).
    public var name: String
    /// What results record as their prompt version: `verify@v1`, or `verify@override-1a2b3c4d` for a
    /// per-build override.
    public var version: String
    public var text: String

    public init(name: String, version: String, text: String) {
        self.name = name
        self.version = version
        self.text = text
    }

    /// Tags prompts use to delimit material; never allowed inside substituted values.
    static let delimiterTags = ["context", "answer", "question", "topic", "passage"]

    /// The sections, in order, as (role, template text).
    public func sections() throws(RecipeError) -> [(role: String, text: String)] {
        var sections: [(role: String, lines: [Substring])] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "[system]" || trimmed == "[user]" {
                sections.append((String(trimmed.dropFirst().dropLast()), []))
            } else if sections.isEmpty {
                guard trimmed.isEmpty else {
                    throw RecipeError(.invalidPrompt, "prompt '\(name)' must start with a [system] or [user] line", field: "prompts.\(name)")
                }
            } else {
                sections[sections.count - 1].lines.append(line)
            }
        }
        guard sections.contains(where: { $0.role == "user" }) else {
            throw RecipeError(.invalidPrompt, "prompt '\(name)' has no [user] section", field: "prompts.\(name)")
        }
        return sections.map { ($0.role, $0.lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Every `{{placeholder}}` the template uses.
    public var placeholders: Set<String> {
        var names: Set<String> = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            names.insert(String(rest[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return names
    }

    /// Checks the template against the placeholders its recipe supplies: none unknown, all `required` used.
    public func validate(supplied: Set<String>, required: Set<String>) throws(RecipeError) {
        _ = try sections()
        let used = placeholders
        if let unknown = used.subtracting(supplied).sorted().first {
            throw RecipeError(
                .invalidPrompt, "prompt '\(name)' uses {{\(unknown)}}, which this recipe does not supply (it supplies: \(supplied.sorted().joined(separator: ", ")))",
                field: "prompts.\(name)")
        }
        if let missing = required.subtracting(used).sorted().first {
            throw RecipeError(.invalidPrompt, "prompt '\(name)' must use {{\(missing)}}", field: "prompts.\(name)")
        }
    }

    /// The chat messages for `values`. `raw` names values inserted as they are (already built from
    /// sanitised parts, e.g. a list of `<context>` blocks).
    public func messages(_ values: [String: String], raw: Set<String> = []) throws(RecipeError) -> [ChatMessage] {
        try sections().map { section throws(RecipeError) in
            ChatMessage(role: section.role, content: try Self.render(section.text, values: values, raw: raw, prompt: name))
        }
    }

    static func render(_ template: String, values: [String: String], raw: Set<String>, prompt: String) throws(RecipeError) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            output += rest[..<open.lowerBound]
            let key = String(rest[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespaces)
            guard let value = values[key] else {
                throw RecipeError(.invalidPrompt, "prompt '\(prompt)' uses {{\(key)}}, which has no value", field: "prompts.\(prompt)")
            }
            output += raw.contains(key) ? value : sanitised(value)
            rest = rest[close.upperBound...]
        }
        output += rest
        return output
    }

    /// `value` without any delimiter tag (opening or closing, any ASCII case).
    public static func sanitised(_ value: String) -> String {
        guard value.contains("<") else { return value }
        var result = value
        for tag in delimiterTags {
            for form in ["<\(tag)>", "</\(tag)>"] {
                while let range = result.range(of: form, options: .caseInsensitive) { result.replaceSubrange(range, with: "") }
            }
        }
        return result
    }
}
