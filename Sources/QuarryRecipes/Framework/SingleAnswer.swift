import QuarryLLM

/// An answer alone as a generator returns it (rag4rag's regeneration, personalized_qa's answers), with the
/// JSON schema that asks for exactly that. The schema's name is the caller's: it is part of the request,
/// so it stays what each recipe has always sent (cache keys and seeded samples depend on it).
struct SingleAnswer: Decodable, Sendable {
    var answer: String

    static func format(named name: String) -> ResponseFormat {
        .jsonSchema(
            name: name,
            schema: [
                "type": "object",
                "properties": ["answer": ["type": "string"]],
                "required": ["answer"],
                "additionalProperties": false,
            ],
            strict: true)
    }
}
