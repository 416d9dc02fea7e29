import Foundation
import QuarryLLM
import QuarryQueue

/// `pqa.answer`: one generator's answer to one question in one variant (the seed's `variant@generator`).
struct PersonalizedQAAnswerHandler {
    static let format = SingleAnswer.format(named: "community_answer")

    let service: LLMService

    func handle(_ payload: Seed<PersonalizedQARecord>, context: GraphContext) async throws -> Produced<PersonalizedQAAnswer> {
        guard let arm = PersonalizedQAArm(key: payload.variant) else {
            throw TaskError.permanent(
                "bad_parameter",
                "'\(payload.variant)' is not variant@generator with a known variant (variants: \(PersonalizedQAVariant.allCases.map(\.rawValue).joined(separator: ", "))); check parameters.variants")
        }
        let parameters = try context.parameters(PersonalizedQARecipe.Parameters.self)
        let spec = context.spec
        let prompt = try spec.prompt(arm.variant.promptName)
        let endpoint = PersonalizedQARecipe.endpoint(forGenerator: arm.generator, spec: spec)
        let question = PersonalizedQAQuestion(payload.record)
        let request = ChatRequest(
            messages: try prompt.messages(PersonalizedQAPrompts.answerValues(question)), temperature: parameters.generationTemperature,
            seed: spec.seed, maxTokens: parameters.maxTokens, responseFormat: Self.format)
        let decoded = try await service.chat(request, endpoint: endpoint, build: context.buildID, kind: context.task.kind, decoding: SingleAnswer.self)
        let answer = decoded.output.answer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !answer.isEmpty else { throw TaskError.permanent("bad_output", "the generator '\(arm.generator)' returned an empty answer") }
        let output = PersonalizedQAAnswer(
            variant: arm.variant, generator: arm.generator, answer: answer, call: LLMCallRecord(decoded.result, endpoint: endpoint, service: service))
        return Produced(output, promptVersion: prompt.version)
    }
}
