import Foundation
import QuarryLLM

/// The prompts shipped with Quarry: `Prompts/<recipe>/<name>.v<N>.txt` in this module's resources.
/// The highest version of each name is current; submit copies the text into the build's spec, so workers
/// (on any machine, with any release) render exactly what the build was submitted with.
public enum PromptLibrary {
    /// The bundled prompt `name` of `recipe` at its highest version.
    public static func bundled(recipe: String, name: String) throws(RecipeError) -> PromptTemplate {
        guard let directory = Bundle.module.url(forResource: "Prompts", withExtension: nil)?.appendingPathComponent(recipe) else {
            throw RecipeError(.unknownPrompt, "this build of Quarry has no bundled prompts folder", field: "prompts.\(name)")
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var best: (version: Int, file: String)?
        for file in files {
            guard let version = version(of: file, name: name) else { continue }
            if version > best?.version ?? Int.min { best = (version, file) }
        }
        guard let best else {
            throw RecipeError(.unknownPrompt, "no bundled prompt '\(name)' for recipe '\(recipe)' in \(directory.path)", field: "prompts.\(name)")
        }
        let path = directory.appendingPathComponent(best.file).path
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw RecipeError(.unreadableSpec, "cannot read the bundled prompt", file: path)
        }
        return PromptTemplate(name: name, version: "\(name)@v\(best.version)", text: text)
    }

    /// A per-build override read from `path`: versioned by its content, `name@override-<first 8 hex of SHA-256>`.
    public static func override(name: String, path: String, specLine: Int?, specFile: String) throws(RecipeError) -> PromptTemplate {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecipeError(.unreadableSpec, "cannot read the prompt override '\(path)'", file: specFile, line: specLine, field: "prompts.\(name)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RecipeError(.unreadableSpec, "the prompt override '\(path)' is not UTF-8 text", file: specFile, line: specLine, field: "prompts.\(name)")
        }
        return override(name: name, text: text)
    }

    public static func override(name: String, text: String) -> PromptTemplate {
        let digest = SHA256.hex(SHA256.hash(Array(text.utf8)))
        return PromptTemplate(name: name, version: "\(name)@override-\(digest.prefix(8))", text: text)
    }

    /// `3` for `name.v3.txt`, nil for other files.
    static func version(of file: String, name: String) -> Int? {
        let prefix = name + ".v"
        guard file.hasPrefix(prefix), file.hasSuffix(".txt") else { return nil }
        return Int(file.dropFirst(prefix.count).dropLast(4))
    }
}
