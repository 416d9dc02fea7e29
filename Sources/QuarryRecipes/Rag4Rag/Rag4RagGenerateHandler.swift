import Foundation
import QuarryLLM
import QuarryQueue

/// `rag4rag.generate`: one question and answer for a passage, in the task's arm. The zero-shot arm's
/// prompt gets only the topic hint — the passage never reaches the model — which is the seed's baseline.
struct Rag4RagGenerateHandler: TaskHandler {
    struct Answer: Decodable, Sendable {
        var question: String
        var answer: String
    }

    static let format = ResponseFormat.jsonSchema(
        name: "qa_pair",
        schema: [
            "type": "object",
            "properties": ["question": ["type": "string"], "answer": ["type": "string"]],
            "required": ["question", "answer"],
            "additionalProperties": false,
        ],
        strict: true)

    let service: LLMService
    let specs: BuildSpecStore

    func handle(_ task: ClaimedTask, context: TaskContext) async throws -> TaskOutput {
        let payload = try task.decodePayload(Rag4RagPayload.Seed.self)
        let spec = try await specs.spec(for: task.buildID, queue: context.queue)
        let promptName: String
        switch payload.variant {
        case Rag4RagRecipe.Arm.grounded: promptName = Rag4RagRecipe.Prompt.generateGrounded
        case Rag4RagRecipe.Arm.zeroShot: promptName = Rag4RagRecipe.Prompt.generateZeroShot
        default: throw TaskError.permanent("bad_payload", "task \(task.id): unknown rag4rag arm '\(payload.variant)'")
        }
        return try await HandlerFailures.mapped {
            let prompt = try spec.prompt(promptName)
            let endpoint = try spec.endpoint(for: Rag4RagRecipe.Role.generator)
            let request = ChatRequest(
                messages: try prompt.messages(["passage": payload.record.passage, "topic": payload.record.topic]),
                temperature: spec.parameters.double("generation_temperature", default: 0.7), seed: spec.seed,
                maxTokens: spec.parameters.int("max_tokens", default: 512), responseFormat: Self.format)
            let decoded = try await service.chat(request, endpoint: endpoint, build: task.buildID, kind: task.kind, decoding: Answer.self)
            let question = decoded.output.question.trimmingCharacters(in: .whitespacesAndNewlines)
            let answer = decoded.output.answer.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !question.isEmpty, !answer.isEmpty else {
                throw TaskError.permanent("bad_output", "the generator returned an empty \(question.isEmpty ? "question" : "answer")")
            }
            let output = Rag4RagGenerated(
                arm: payload.variant, question: question, answer: answer, call: LLMCallRecord(decoded.result, endpoint: endpoint, service: service))
            return try TaskOutput(encoding: output, promptVersion: prompt.version)
        }
    }
}
