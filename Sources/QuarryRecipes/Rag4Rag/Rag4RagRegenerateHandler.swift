import Foundation
import QuarryLLM
import QuarryQueue

/// `rag4rag.regenerate`: for an answer verification found unsupported, retrieve the top-k passages for
/// its question from the build's records (PostgreSQL full-text search) and answer again with a strict
/// "only from the context, exact span" prompt. The gold passage is not forced in: whether retrieval
/// finds it is part of what the recipe measures (`gold_retrieved`).
struct Rag4RagRegenerateHandler {
    static let format = SingleAnswer.format(named: "extracted_answer")

    let service: LLMService

    func handle(_ payload: Follows<Rag4RagVerification>, context: GraphContext) async throws -> Produced<Rag4RagRegeneration> {
        let verification = try await context.output(of: Rag4RagRecipe.Kind.verify)
        let seed = try await context.payload(of: Rag4RagRecipe.Kind.generate)
        guard let arm = Rag4RagArm(rawValue: seed.variant) else {
            throw TaskError.permanent("bad_payload", "task \(context.taskID): unknown rag4rag arm '\(seed.variant)'")
        }
        let question = verification.question
        let spec = context.spec
        let parameters = try context.parameters(Rag4RagRecipe.Parameters.self)
        var hits = try await context.records.search(buildID: context.buildID, query: question, limit: parameters.topK)
        if hits.isEmpty {
            // A question of stopwords only (or words no passage has): the topic is the next best query.
            hits = try await context.records.search(buildID: context.buildID, query: seed.record.topic, limit: parameters.topK)
        }
        let retrieved = hits.map { Rag4RagRegeneration.Hit(line: $0.line, rank: ($0.rank * 1e6).rounded() / 1e6) }
        let goldRetrieved = hits.contains { $0.position == seed.position }
        let prompt = try spec.prompt(Rag4RagRecipe.Prompt.regenerate)
        guard !hits.isEmpty else {
            let output = Rag4RagRegeneration(
                repairedArm: arm, question: question, answer: "", retrieved: [], goldRetrieved: false, exactSpan: false, call: nil)
            return Produced(output, promptVersion: prompt.version)
        }
        let contexts = hits.map { "<context>\n\(PromptTemplate.sanitised($0.text))\n</context>" }.joined(separator: "\n")
        let endpoint = try spec.endpoint(for: Rag4RagRecipe.Role.generator)
        let request = ChatRequest(
            messages: try prompt.messages(["contexts": contexts, "question": question], raw: ["contexts"]),
            temperature: parameters.regenerationTemperature, seed: spec.seed, maxTokens: parameters.maxTokens, responseFormat: Self.format)
        let decoded = try await service.chat(request, endpoint: endpoint, build: context.buildID, kind: context.task.kind, decoding: SingleAnswer.self)
        let answer = decoded.output.answer.trimmingCharacters(in: .whitespacesAndNewlines)
        let output = Rag4RagRegeneration(
            repairedArm: arm, question: question, answer: answer, retrieved: retrieved, goldRetrieved: goldRetrieved,
            exactSpan: !answer.isEmpty && hits.contains { $0.text.contains(answer) },
            call: LLMCallRecord(decoded.result, endpoint: endpoint, service: service))
        return Produced(output, promptVersion: prompt.version)
    }
}
