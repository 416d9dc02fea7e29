import QuarryJSON
import QuarryLLM

/// prereq_tune's prompts: their names, the placeholders each is rendered with, and the response
/// formats (JSON schemas in strict mode) their answers must follow.
public enum PrereqPrompts {
    public static let entity = "entity"
    public static let biography = "biography"
    public static let statements = "statements"
    public static let passage = "passage"
    public static let triple = "triple"
    public static let verify = "verify"

    public static let all = [
        RecipePrompt(entity, supplies: ["seed", "avoid", "entity_noun"], requires: ["seed", "avoid"]),
        RecipePrompt(
            biography,
            supplies: ["name", "type", "version", "facts", "sentences", "entity_noun", "entity_noun_article", "task_noun", "feedback"],
            requires: ["name", "facts"]),
        RecipePrompt(statements, supplies: ["name", "biography"], requires: ["name", "biography"]),
        RecipePrompt(passage, supplies: ["name", "statements", "sentences"], requires: ["statements"]),
        RecipePrompt(triple, supplies: ["name", "type", "version", "relation", "others", "entity_noun"], requires: ["name", "relation", "others"]),
        RecipePrompt(verify, supplies: ["statements", "question", "answer"], requires: ["statements", "answer"]),
    ]

    // MARK: - Values

    public static func entityValues(seed: String, avoid: [String], domain: PrereqTuneParameters.Domain) -> [String: String] {
        ["seed": seed, "avoid": avoid.isEmpty ? "(none)" : avoid.joined(separator: "; "), "entity_noun": domain.entityNoun]
    }

    public static func biographyValues(
        entity: PrereqEntity, version: Int, facts: PrereqFactSheet, feedback: String, parameters: PrereqTuneParameters
    ) -> [String: String] {
        [
            "feedback": feedback.isEmpty ? "(none: first attempt)" : feedback,
            "name": entity.name, "type": entity.type, "version": String(version), "facts": facts.facts.joined(separator: "\n"),
            "sentences": String(parameters.sentenceTarget), "entity_noun": parameters.domain.entityNoun,
            "entity_noun_article": parameters.domain == .bio ? "a person" : "a medical entity",
            "task_noun": parameters.domain == .bio ? "a biography" : "a description",
        ]
    }

    public static func statementsValues(name: String, biography: String) -> [String: String] {
        ["name": name, "biography": biography]
    }

    public static func passageValues(name: String, statements: [String], sentences: Int) -> [String: String] {
        ["name": name, "statements": statements.joined(separator: "\n"), "sentences": String(sentences)]
    }

    public static func tripleValues(entity: PrereqEntity, version: Int, relation: PrereqRelation, others: [String], domain: PrereqTuneParameters.Domain)
        -> [String: String]
    {
        [
            "name": entity.name, "type": entity.type, "version": String(version), "relation": relation.object.replacingOccurrences(of: "{subject}", with: entity.name),
            "others": others.isEmpty ? "(none yet)" : others.joined(separator: "; "), "entity_noun": domain.entityNoun,
        ]
    }

    public static func verifyValues(statements: [String], question: String, answer: String) -> [String: String] {
        ["statements": statements.joined(separator: "\n"), "question": question, "answer": answer]
    }

    // MARK: - Response formats

    private static func object(_ name: String, _ properties: [String: JSONValue]) -> ResponseFormat {
        .jsonSchema(
            name: name,
            schema: [
                "type": "object", "properties": .object(properties), "required": .array(properties.keys.sorted().map(JSONValue.string)),
                "additionalProperties": false,
            ],
            strict: true)
    }

    private static let string: JSONValue = ["type": "string"]
    private static let strings: JSONValue = ["type": "array", "items": ["type": "string"]]

    public static let entityFormat = object("fictitious_entity", ["name": string, "type": string, "summary": string])

    /// Sentences as a list, so the sentence target is a bound the answer's shape carries.
    public static func biographyFormat(sentences: Int) -> ResponseFormat {
        object(
            "biography",
            ["sentences": ["type": "array", "items": ["type": "string"], "minItems": .int(max(sentences - 1, 1)), "maxItems": .int(sentences + 1)]])
    }

    public static let statementsFormat = object("atomic_statements", ["statements": strings])
    public static let passageFormat = object("paraphrase", ["passage": string])
    public static let tripleFormat = object("short_fact", ["object": string, "aliases": strings])
    public static let verifyFormat = object(
        "grounding_verdict",
        [
            "supported": ["type": "boolean"], "verdict": ["type": "string", "enum": ["supported", "unsupported"]], "unsupported_spans": strings,
            "confidence": ["type": "number", "minimum": 0, "maximum": 1], "reason": string,
        ])

    // MARK: - Answers

    public struct EntityAnswer: Decodable, Sendable {
        public var name: String
        public var type: String
        public var summary: String
    }

    public struct BiographyAnswer: Decodable, Sendable {
        public var sentences: [String]
    }

    public struct StatementsAnswer: Decodable, Sendable {
        public var statements: [String]
    }

    public struct PassageAnswer: Decodable, Sendable {
        public var passage: String
    }

    public struct TripleAnswer: Decodable, Sendable {
        public var object: String
        public var aliases: [String]
    }

    public struct JudgeAnswer: Decodable, Sendable {
        public var supported: Bool
        public var reason: String?
    }
}
