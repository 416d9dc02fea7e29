import Foundation
import QuarryLLM
import QuarryRecipes
import QuarryTestSupport
import Testing

@Suite("build specs: every mistake is reported with its file, line and field")
struct BuildSpecTests {
    let folder: URL
    let inputPath: String
    let registry: EndpointRegistry

    init() throws {
        folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("quarry-spec-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        inputPath = folder.appendingPathComponent("passages.jsonl").path
        try Data(#"{"text": "Basalt is a dark volcanic rock.", "title": "Basalt"}"#.utf8).write(to: URL(fileURLWithPath: inputPath))
        registry = try EndpointRegistry([Endpoint(name: "sim", baseURL: "http://127.0.0.1:1/v1", model: "sim-small")], source: "endpoints.yaml")
    }

    /// A valid spec with `replace` substitutions applied (line numbers stay put: one field per line).
    func spec(_ replacements: [String: String] = [:]) -> String {
        var text = """
            name: rocks
            recipe: rag4rag
            input:
              path: passages.jsonl
              fields: {passage: text, topic: title}
            endpoints:
              generator: sim
              judge: sim
            parameters:
              top_k: 4
            seed: 3
            """
        for (from, to) in replacements { text = text.replacingOccurrences(of: from, with: to) }
        return text
    }

    func parse(_ yaml: String) throws -> BuildPlan {
        let file = folder.appendingPathComponent("build.yaml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: file))
        return try BuildSpecParser(file: file, endpoints: registry).parseFile()
    }

    func failure(_ yaml: String) -> RecipeError? {
        do {
            _ = try parse(yaml)
            return nil
        } catch let error as RecipeError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test("a valid spec resolves defaults, paths, endpoints and bundled prompt versions")
    func valid() throws {
        let plan = try parse(spec())
        #expect(plan.recipe.name == "rag4rag")
        #expect(plan.spec.input.path == inputPath)
        #expect(plan.spec.input.format == .jsonl)
        #expect(plan.spec.input.maxRecordBytes == 1 << 20)
        let parameters = try plan.spec.parameters.decode(Rag4RagRecipe.Parameters.self)
        #expect(parameters.topK == 4)
        #expect(parameters.minLexicalSupport == 0.5)
        #expect(plan.spec.endpoints == ["generator": "sim", "judge": "sim"])
        #expect(plan.spec.seed == 3)
        #expect(plan.spec.promptVersions == [
            "generate_grounded": "generate_grounded@v1", "generate_zero_shot": "generate_zero_shot@v1", "verify": "verify@v1",
            "regenerate": "regenerate@v1",
        ])
        // The stored spec carries the prompt texts, so workers need no files.
        #expect(plan.spec.prompts["verify"]?.text.contains("QUARRY-JUDGE") == true)
    }

    @Test("unknown recipe: the error lists the known ones")
    func unknownRecipe() throws {
        let error = try #require(failure(spec(["recipe: rag4rag": "recipe: rag5rag"])))
        #expect(error.code == .unknownRecipe)
        #expect(error.message == "unknown recipe 'rag5rag'; known: knowtuning, personalized_qa, prereq_tune, rag4rag")
        #expect(error.line == 2)
        #expect(error.description.hasSuffix("build.yaml:2 (recipe): unknown recipe 'rag5rag'; known: knowtuning, personalized_qa, prereq_tune, rag4rag"))
    }

    @Test("parameters: unknown name, out of range, wrong type")
    func parameters() throws {
        let unknown = try #require(failure(spec(["top_k: 4": "topk: 4"])))
        #expect(unknown.code == .unknownParameter)
        #expect(unknown.line == 10)
        #expect(unknown.field == "parameters.topk")
        #expect(unknown.message.contains("top_k"), "lists the parameters there are")
        let range = try #require(failure(spec(["top_k: 4": "top_k: 0"])))
        #expect(range.code == .invalidValue)
        #expect(range.field == "parameters.top_k")
        #expect(range.message.contains("1...20"))
        let type = try #require(failure(spec(["top_k: 4": "top_k: four"])))
        #expect(type.code == .invalidValue)
        #expect(type.message.contains("integer"))
    }

    @Test("roles: unknown role, missing role, unknown endpoint")
    func roles() throws {
        let unknownRole = try #require(failure(spec(["  judge: sim": "  judge: sim\n  critic: sim"])))
        #expect(unknownRole.code == .unknownRole)
        #expect(unknownRole.line == 9)
        #expect(unknownRole.field == "endpoints.critic")
        let missing = try #require(failure(spec(["  judge: sim": ""])))
        #expect(missing.code == .missingRole)
        #expect(missing.field == "endpoints.judge")
        let endpoint = try #require(failure(spec(["  judge: sim": "  judge: gpt-judge"])))
        #expect(endpoint.code == .unknownEndpoint)
        #expect(endpoint.line == 8)
        #expect(endpoint.message.contains("'gpt-judge'") && endpoint.message.contains("configured: sim"))
    }

    @Test("input: unreadable path, unknown field mapping, unknown format, missing section")
    func input() throws {
        let missingFile = try #require(failure(spec(["path: passages.jsonl": "path: nowhere.jsonl"])))
        #expect(missingFile.code == .unreadableInput)
        #expect(missingFile.line == 4)
        #expect(missingFile.field == "input.path")
        #expect(missingFile.message.contains("nowhere.jsonl"))
        let directory = try #require(failure(spec(["path: passages.jsonl": "path: ."])))
        #expect(directory.code == .unreadableInput)
        let mapping = try #require(failure(spec(["{passage: text, topic: title}": "{passages: text, topic: title}"])))
        #expect(mapping.code == .unknownField)
        #expect(mapping.field == "input.fields.passages")
        #expect(mapping.line == 5)
        let format = try #require(failure(spec(["  fields:": "  format: csv\n  fields:"])))
        #expect(format.code == .invalidValue)
        #expect(format.field == "input.format")
        let noInput = try #require(failure("name: x\nrecipe: rag4rag\nendpoints: {generator: sim, judge: sim}\n"))
        #expect(noInput.code == .missingField)
        #expect(noInput.field == "input")
    }

    @Test("top level: unknown field, bad YAML, empty name, bad budget")
    func topLevel() throws {
        let unknown = try #require(failure(spec(["seed: 3": "budget: 3"])))
        #expect(unknown.code == .unknownField)
        #expect(unknown.line == 11)
        let yaml = try #require(failure("name: [unclosed\n"))
        #expect(yaml.code == .invalidYAML)
        let name = try #require(failure(spec(["name: rocks": "name: ''"])))
        #expect(name.code == .invalidValue)
        #expect(name.field == "name")
        let budget = try #require(failure(spec(["seed: 3": "budget_usd: -1"])))
        #expect(budget.code == .invalidValue)
        #expect(budget.field == "budget_usd")
    }

    @Test("prompt overrides: stored with a content version; unknown names and templates missing a placeholder are refused")
    func prompts() throws {
        let override = folder.appendingPathComponent("verify.txt")
        let text = "[system]\nQUARRY-JUDGE Be strict.\n[user]\n<context>{{passage}}</context>\n<answer>{{answer}}</answer>\n"
        try Data(text.utf8).write(to: override)
        let plan = try parse(spec(["seed: 3": "seed: 3\nprompts:\n  verify: verify.txt"]))
        let version = try #require(plan.spec.prompts["verify"]?.version)
        #expect(version.hasPrefix("verify@override-") && version.count == "verify@override-".count + 8)
        #expect(plan.spec.prompts["verify"]?.text == text)
        #expect(plan.spec.prompts["generate_grounded"]?.version == "generate_grounded@v1")

        let unknown = try #require(failure(spec(["seed: 3": "seed: 3\nprompts:\n  judge: verify.txt"])))
        #expect(unknown.code == .unknownPrompt)
        #expect(unknown.line == 13)
        try Data("[user]\n<context>{{passage}}</context>\n".utf8).write(to: override)
        let incomplete = try #require(failure(spec(["seed: 3": "seed: 3\nprompts:\n  verify: verify.txt"])))
        #expect(incomplete.code == .invalidPrompt)
        #expect(incomplete.message.contains("{{answer}}"))
        #expect(incomplete.line == 13)
        let missing = try #require(failure(spec(["seed: 3": "seed: 3\nprompts:\n  verify: nope.txt"])))
        #expect(missing.code == .unreadableSpec)
    }

    @Test("rendering substitutes once and strips delimiter tags from values")
    func rendering() throws {
        let template = PromptTemplate(name: "t", version: "t@v1", text: "[system]\nS\n[user]\n<context>{{passage}}</context> {{question}}")
        let messages = try template.messages(["passage": "a </context> b {{question}}", "question": "q?"])
        #expect(messages.map(\.role) == ["system", "user"])
        #expect(messages[1].content == "<context>a  b {{question}}</context> q?")
    }

    @Test("the example build spec shipped with the recipes is valid")
    func exampleSpec() throws {
        let file = TestDatabase.repositoryRoot.appendingPathComponent("Sources/QuarryRecipes/Examples/demo.build.yaml").path
        let plan = try BuildSpecParser(file: file, endpoints: registry).parseFile()
        #expect(plan.spec.input.path.hasSuffix("Examples/passages.jsonl"))
        #expect(plan.spec.input.fields == ["passage": "text", "topic": "title", "id": "id"])
    }

    @Test("a recipe's own checks run at submit: personalized_qa refuses an unknown variant or a generator no endpoint serves, naming the field")
    func recipeChecks() throws {
        func pqa(_ parameters: String) -> String {
            """
            name: community
            recipe: personalized_qa
            input:
              path: passages.jsonl
              fields: {id: title, community: title, title: title, body: text}
            endpoints: {generator: sim, judge: sim}
            parameters: {\(parameters)}
            """
        }
        #expect(throws: Never.self) { try parse(pqa("generators: 'generator, sim'")) }
        let unknownGenerator = #expect(throws: RecipeError.self) { try parse(pqa("generators: 'generator, gtp4'")) }
        #expect(unknownGenerator?.code == .unknownEndpoint)
        #expect(unknownGenerator?.field == "parameters.generators")
        #expect(unknownGenerator?.line == 7)
        #expect(unknownGenerator?.message.contains("'gtp4'") == true)
        let unknownVariant = #expect(throws: RecipeError.self) { try parse(pqa("variants: 'basic, personalised'")) }
        #expect(unknownVariant?.field == "parameters.variants")
        #expect(unknownVariant?.message.contains("personalised") == true)
    }
}
