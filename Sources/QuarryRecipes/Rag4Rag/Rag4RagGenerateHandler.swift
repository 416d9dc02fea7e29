import Foundation
import QuarryLLM
import QuarryQueue

/// `rag4rag.generate`: one question and answer for a passage, in the task's arm. The zero-shot arm's
/// prompt gets only the topic hint — the passage never reaches the model — which is the seed's baseline.
struct Rag4RagGenerateHandler {
    let service: LLMService

    func handle(_ payload: Seed<Rag4RagRecord>, context: GraphContext) async throws -> Produced<Rag4RagGenerated> {
        guard let arm = Rag4RagArm(rawValue: payload.variant), Rag4RagArm.seeded.contains(arm) else {
            throw TaskError.permanent("bad_payload", "task \(context.taskID): unknown rag4rag arm '\(payload.variant)'")
        }
        let spec = context.spec
        let parameters = try context.parameters(Rag4RagRecipe.Parameters.self)
        let prompt = try spec.prompt(arm == .grounded ? Rag4RagRecipe.Prompt.generateGrounded : Rag4RagRecipe.Prompt.generateZeroShot)
        let endpoint = try spec.endpoint(for: Rag4RagRecipe.Role.generator)
        let request = ChatRequest(
            messages: try prompt.messages(["passage": payload.record.passage, "topic": payload.record.topic]),
            temperature: parameters.generationTemperature, seed: spec.seed, maxTokens: parameters.maxTokens, responseFormat: QuestionAnswerPair.format)
        let decoded = try await service.chat(request, endpoint: endpoint, build: context.buildID, kind: context.task.kind, decoding: QuestionAnswerPair.self)
        let question = decoded.output.question.trimmingCharacters(in: .whitespacesAndNewlines)
        let answer = decoded.output.answer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !question.isEmpty, !answer.isEmpty else {
            throw TaskError.permanent("bad_output", "the generator returned an empty \(question.isEmpty ? "question" : "answer")")
        }
        let output = Rag4RagGenerated(
            arm: arm, question: question, answer: answer, call: LLMCallRecord(decoded.result, endpoint: endpoint, service: service))
        return Produced(output, promptVersion: prompt.version)
    }
}
