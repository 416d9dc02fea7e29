import Foundation
import QuarryLLM
import QuarryQueue

/// `pqa.judge`: the hallucination judge (with the question, its body and the accepted answer as
/// reference) and the off-topic-profile check, on the endpoint of the `judge` role.
struct PersonalizedQAJudgeHandler {
    let service: LLMService

    func handle(record: PersonalizedQARecord, answer: PersonalizedQAAnswer, context: GraphContext) async throws -> Produced<PersonalizedQAJudgement> {
        let parameters = try context.parameters(PersonalizedQARecipe.Parameters.self)
        let spec = context.spec
        let prompt = try spec.prompt(PersonalizedQAPrompts.judge)
        let endpoint = try spec.endpoint(for: PersonalizedQARecipe.Role.judge)
        let question = PersonalizedQAQuestion(record)
        let request = ChatRequest(
            messages: try prompt.messages(PersonalizedQAPrompts.judgeValues(question, answer: answer.answer)), temperature: parameters.judgeTemperature,
            seed: spec.seed, maxTokens: parameters.maxTokens, responseFormat: PersonalizedQAJudgeReply.format)
        let decoded = try await service.chat(
            request, endpoint: endpoint, build: context.buildID, kind: context.task.kind, decoding: PersonalizedQAJudgeReply.self)
        let judgement = decoded.output.judgement(
            answer: answer.answer, profile: question.tags, call: LLMCallRecord(decoded.result, endpoint: endpoint, service: service))
        return Produced(judgement, promptVersion: prompt.version)
    }
}
