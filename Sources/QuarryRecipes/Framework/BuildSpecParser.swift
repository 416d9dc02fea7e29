import QuarryJSON
import Foundation
import QuarryLLM
import Yams

/// Reads a build spec (YAML) and checks everything that can be checked before a build exists, with
/// errors that name the file, the line and the field:
///
/// ```yaml
/// name: medquad-rag4rag
/// recipe: rag4rag
/// input:
///   path: data/medquad_valid.json   # relative to this file
///   format: json                    # jsonl | json (one array); default from the extension
///   fields: {passage: output, topic: instruction, question: instruction}
///   max_record_bytes: 1048576       # larger records are rejected
/// endpoints: {generator: sim, judge: sim}
/// parameters: {top_k: 3}
/// prompts: {verify: prompts/verify.txt}   # per-build override, relative to this file
/// budget_usd: 5
/// seed: 7
/// no_cache: false
/// max_dead_fraction: 0.2     # more dead tasks than this share makes the build `failed`
/// ```
///
/// Works on the YAML node tree rather than Codable, because only nodes carry line numbers.
public struct BuildSpecParser {
    public static let topLevelFields: Set<String> = [
        "name", "recipe", "input", "endpoints", "parameters", "prompts", "budget_usd", "seed", "no_cache", "max_dead_fraction",
    ]
    public static let inputFields: Set<String> = ["path", "format", "fields", "max_record_bytes"]
    public static let defaultMaxRecordBytes = 1 << 20

    public let file: String
    public let catalog: RecipeCatalog
    /// The endpoints roles may name; nil skips that check (the workers' file decides then).
    public let endpoints: EndpointRegistry?

    public init(file: String, catalog: RecipeCatalog = .standard, endpoints: EndpointRegistry?) {
        self.file = file
        self.catalog = catalog
        self.endpoints = endpoints
    }

    /// Reads and checks the spec at `file`.
    public func parseFile() throws(RecipeError) -> BuildPlan {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw RecipeError(.unreadableSpec, "cannot read the build spec", file: file)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RecipeError(.unreadableSpec, "the build spec is not UTF-8 text", file: file)
        }
        return try parse(text)
    }

    /// Checks spec text; relative paths in it resolve against `file`'s folder.
    public func parse(_ yaml: String) throws(RecipeError) -> BuildPlan {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw RecipeError(.invalidYAML, "not valid YAML: \(error)", file: file)
        }
        guard let root, let top = root.mapping else {
            throw RecipeError(.invalidYAML, "a build spec is a mapping (name:, recipe:, input:, …)", file: file, line: root?.mark?.line)
        }
        for (key, _) in top {
            guard let name = key.string, Self.topLevelFields.contains(name) else {
                throw fail(.unknownField, "unknown field '\(key.string ?? "?")' (expected one of: \(Self.topLevelFields.sorted().joined(separator: ", ")))", key, field: key.string)
            }
        }
        let name = try requiredString(top, "name", in: root)
        // Names are printed by submit, builds and status, and stored as text (which cannot hold NUL).
        if let nameNode = top["name"], name.containsControlCharacters {
            throw fail(
                .invalidValue, "'name' must not contain control or bidirectional-override characters (got '\(name.escapingControlCharacters)')",
                nameNode, field: "name")
        }
        let recipeNode = try required(top, "recipe", in: root)
        let recipe = try catalog.recipe(named: try string(recipeNode, field: "recipe"), file: file, line: recipeNode.mark?.line)
        let input = try parseInput(try required(top, "input", in: root), recipe: recipe)
        let roles = try parseEndpoints(top["endpoints"], recipe: recipe, root: root)
        let parameters = try parseParameters(top["parameters"], recipe: recipe)
        let prompts = try parsePrompts(top["prompts"], recipe: recipe)
        var budget: Double?
        if let node = top["budget_usd"] {
            guard let value = node.float ?? node.int.map(Double.init), value >= 0, value.isFinite else {
                throw fail(.invalidValue, "budget_usd must be a non-negative number of US dollars", node, field: "budget_usd")
            }
            budget = value
        }
        var seed: Int?
        if let node = top["seed"] {
            guard let value = node.int else { throw fail(.invalidValue, "seed must be an integer", node, field: "seed") }
            seed = value
        }
        var noCache = false
        if let node = top["no_cache"] {
            guard let value = node.bool else { throw fail(.invalidValue, "no_cache must be true or false", node, field: "no_cache") }
            noCache = value
        }
        var maxDeadFraction: Double?
        if let node = top["max_dead_fraction"] {
            guard let value = node.float ?? node.int.map(Double.init), (0...1).contains(value) else {
                throw fail(
                    .invalidValue, "max_dead_fraction must be a share between 0 and 1 (e.g. 0.2), not '\(node.string ?? "?")'", node,
                    field: "max_dead_fraction")
            }
            maxDeadFraction = value
        }
        var spec = StoredBuildSpec(
            name: name, recipe: recipe.name, specFile: absolute(file), input: input, endpoints: roles, parameters: parameters,
            prompts: prompts, seed: seed, noCache: noCache, budgetUSD: budget)
        spec.maxDeadFraction = maxDeadFraction
        do {
            try recipe.check(spec, endpoints: endpoints)
        } catch {
            throw RecipeError(error.code, error.message, file: error.file ?? file, line: error.line ?? top["parameters"]?.mark?.line, field: error.field)
        }
        return BuildPlan(spec: spec, recipe: recipe)
    }

    private func parseInput(_ node: Node, recipe: any Recipe) throws(RecipeError) -> StoredBuildSpec.Input {
        guard let mapping = node.mapping else {
            throw fail(.invalidValue, "input must be a mapping with path:, format: and fields:", node, field: "input")
        }
        for (key, _) in mapping where !Self.inputFields.contains(key.string ?? "") {
            throw fail(.unknownField, "unknown field 'input.\(key.string ?? "?")' (expected one of: \(Self.inputFields.sorted().joined(separator: ", ")))", key, field: "input.\(key.string ?? "?")")
        }
        guard let pathNode = mapping["path"] else { throw fail(.missingField, "input.path is required", node, field: "input.path") }
        let given = try string(pathNode, field: "input.path")
        let path = resolve(given)
        // Opening the file now turns a wrong path into an error at this line, before any build exists.
        do {
            let probe = try ByteStream(path: path)
            probe.close()
        } catch {
            throw RecipeError(error.code, "\(error.message): \(path)", file: file, line: pathNode.mark?.line, field: "input.path")
        }
        // A relative path stays inside the spec's folder (symlinks resolved): a spec cannot reach
        // ../../etc/passwd by accident or design; anything else is named by absolute path.
        if !given.hasPrefix("/") {
            let folder = Self.realPath(URL(fileURLWithPath: absolute(file)).deletingLastPathComponent().path)
            let target = Self.realPath(path)
            guard target.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/") else {
                throw fail(
                    .invalidValue,
                    "input.path '\(given)' leads outside the spec's folder (\(folder)); give a file outside it by absolute path",
                    pathNode, field: "input.path")
            }
        }
        var format: InputFormat
        if let formatNode = mapping["format"] {
            let text = try string(formatNode, field: "input.format")
            guard let parsed = InputFormat(rawValue: text) else {
                throw fail(.invalidValue, "input.format must be jsonl or json (got '\(text)')", formatNode, field: "input.format")
            }
            format = parsed
        } else {
            guard let implied = InputFormat.implied(by: path) else {
                throw fail(.missingField, "input.format is required when the file name does not end in .jsonl or .json", node, field: "input.format")
            }
            format = implied
        }
        var fields: [String: String] = [:]
        if let fieldsNode = mapping["fields"] {
            guard let pairs = fieldsNode.mapping else {
                throw fail(.invalidValue, "input.fields maps recipe fields to record fields, e.g. {passage: output}", fieldsNode, field: "input.fields")
            }
            let known = recipe.inputFields.map(\.name)
            for (key, value) in pairs {
                let field = key.string ?? "?"
                guard known.contains(field) else {
                    throw fail(.unknownField, "recipe \(recipe.name) reads no field '\(field)' (its fields: \(known.joined(separator: ", ")))", key, field: "input.fields.\(field)")
                }
                fields[field] = try string(value, field: "input.fields.\(field)")
            }
        }
        var limit = Self.defaultMaxRecordBytes
        if let limitNode = mapping["max_record_bytes"] {
            guard let value = limitNode.int, (1...(256 << 20)).contains(value) else {
                throw fail(.invalidValue, "input.max_record_bytes must be an integer in 1...\(256 << 20)", limitNode, field: "input.max_record_bytes")
            }
            limit = value
        }
        return StoredBuildSpec.Input(path: path, format: format, fields: fields, maxRecordBytes: limit)
    }

    private func parseEndpoints(_ node: Node?, recipe: any Recipe, root: Node) throws(RecipeError) -> [String: String] {
        let roleNames = recipe.roles.map(\.name)
        guard let node else {
            throw RecipeError(
                .missingRole, "endpoints: is required, mapping each role of \(recipe.name) (\(roleNames.joined(separator: ", "))) to an endpoint name",
                file: file, line: root.mark?.line, field: "endpoints")
        }
        guard let mapping = node.mapping else {
            throw fail(.invalidValue, "endpoints maps roles to endpoint names, e.g. {generator: sim, judge: sim}", node, field: "endpoints")
        }
        var roles: [String: String] = [:]
        for (key, value) in mapping {
            let role = key.string ?? "?"
            guard roleNames.contains(role) else {
                throw fail(.unknownRole, "recipe \(recipe.name) has no role '\(role)' (its roles: \(roleNames.joined(separator: ", ")))", key, field: "endpoints.\(role)")
            }
            let endpoint = try string(value, field: "endpoints.\(role)")
            if let endpoints, endpoints[endpoint] == nil {
                let known = endpoints.names.joined(separator: ", ")
                throw fail(
                    .unknownEndpoint, "no endpoint named '\(endpoint)' in \(endpoints.source) (configured: \(known.isEmpty ? "none" : known))", value,
                    field: "endpoints.\(role)")
            }
            roles[role] = endpoint
        }
        for role in roleNames where roles[role] == nil {
            throw fail(.missingRole, "role '\(role)' of \(recipe.name) is not mapped to an endpoint", node, field: "endpoints.\(role)")
        }
        return roles
    }

    private func parseParameters(_ node: Node?, recipe: any Recipe) throws(RecipeError) -> RecipeParameters {
        var overrides: [String: JSONValue] = [:]
        if let node {
            guard let mapping = node.mapping else { throw fail(.invalidValue, "parameters must be a mapping of name: value", node, field: "parameters") }
            for (key, value) in mapping {
                let name = key.string ?? "?"
                guard let definition = recipe.parameter(named: name) else {
                    let known = recipe.parameters.map(\.name).joined(separator: ", ")
                    throw fail(.unknownParameter, "recipe \(recipe.name) has no parameter '\(name)' (its parameters: \(known))", key, field: "parameters.\(name)")
                }
                // A value of the wrong type reads as null, whose problem names the type wanted.
                let parsed = Self.value(value, for: definition.kind) ?? .null
                if let problem = definition.problem(with: parsed) {
                    throw fail(.invalidValue, problem, value, field: "parameters.\(name)")
                }
                overrides[name] = parsed
            }
        }
        return RecipeParameters(definitions: recipe.parameters, overrides: overrides)
    }

    private func parsePrompts(_ node: Node?, recipe: any Recipe) throws(RecipeError) -> [String: PromptTemplate] {
        var prompts: [String: PromptTemplate] = [:]
        var lines: [String: Int] = [:]
        if let node {
            guard let mapping = node.mapping else {
                throw fail(.invalidValue, "prompts maps prompt names to override files, e.g. {verify: my_verify.txt}", node, field: "prompts")
            }
            for (key, value) in mapping {
                let name = key.string ?? "?"
                guard recipe.prompt(named: name) != nil else {
                    let known = recipe.prompts.map(\.name).joined(separator: ", ")
                    throw fail(.unknownPrompt, "recipe \(recipe.name) has no prompt '\(name)' (its prompts: \(known))", key, field: "prompts.\(name)")
                }
                let path = resolve(try string(value, field: "prompts.\(name)"))
                prompts[name] = try PromptLibrary.override(name: name, path: path, specLine: value.mark?.line, specFile: file)
                lines[name] = value.mark?.line
            }
        }
        for prompt in recipe.prompts {
            let template: PromptTemplate
            if let override = prompts[prompt.name] {
                template = override
            } else {
                template = try PromptLibrary.bundled(recipe: recipe.name, name: prompt.name)
            }
            do {
                try template.validate(supplied: prompt.supplies, required: prompt.requires)
            } catch {
                throw RecipeError(error.code, error.message, file: file, line: lines[prompt.name], field: error.field)
            }
            prompts[prompt.name] = template
        }
        return prompts
    }

    /// A scalar as the parameter kind wants it, or nil when it is not one.
    static func value(_ node: Node, for kind: RecipeParameter.Kind) -> JSONValue? {
        guard node.scalar != nil else { return nil }
        switch kind {
        case .integer: return node.int.map(JSONValue.int)
        case .number: return (node.int.map(Double.init) ?? node.float).map(JSONValue.double)
        case .boolean: return node.bool.map(JSONValue.bool)
        case .choice, .text: return node.string.map(JSONValue.string)
        }
    }

    private func required(_ mapping: Node.Mapping, _ key: String, in root: Node) throws(RecipeError) -> Node {
        guard let node = mapping[key] else {
            throw RecipeError(.missingField, "'\(key)' is required", file: file, line: root.mark?.line, field: key)
        }
        return node
    }

    private func requiredString(_ mapping: Node.Mapping, _ key: String, in root: Node) throws(RecipeError) -> String {
        let node = try required(mapping, key, in: root)
        let text = try string(node, field: key)
        guard !text.isEmpty else { throw fail(.invalidValue, "'\(key)' must not be empty", node, field: key) }
        return text
    }

    private func string(_ node: Node, field: String) throws(RecipeError) -> String {
        guard node.scalar != nil, let text = node.string else { throw fail(.invalidValue, "\(field) must be a string", node, field: field) }
        return text
    }

    private func fail(_ code: RecipeError.Code, _ message: String, _ node: Node, field: String?) -> RecipeError {
        RecipeError(code, message, file: file, line: node.mark?.line, field: field)
    }

    private func resolve(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let base = URL(fileURLWithPath: absolute(file)).deletingLastPathComponent()
        return base.appendingPathComponent(path).standardizedFileURL.path
    }

    /// `path` with symlinks resolved (as far as it exists).
    static func realPath(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }

    private func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
