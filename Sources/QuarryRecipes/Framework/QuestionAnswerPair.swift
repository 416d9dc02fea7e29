import QuarryLLM

/// A question and its answer as a generator returns them (rag4rag's generation, KnowTuning's rewrites),
/// with the JSON schema that asks for exactly that.
struct QuestionAnswerPair: Decodable, Sendable {
    var question: String
    var answer: String

    static let format = ResponseFormat.jsonSchema(
        name: "qa_pair",
        schema: [
            "type": "object",
            "properties": ["question": ["type": "string"], "answer": ["type": "string"]],
            "required": ["question", "answer"],
            "additionalProperties": false,
        ],
        strict: true)
}
