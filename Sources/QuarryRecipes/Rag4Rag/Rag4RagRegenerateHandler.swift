import Foundation
import QuarryLLM
import QuarryQueue

/// `rag4rag.regenerate`: for an answer verification found unsupported, retrieve the top-k passages for
/// its question from the build's records (PostgreSQL full-text search) and answer again with a strict
/// "only from the context, exact span" prompt. The gold passage is not forced in: whether retrieval
/// finds it is part of what the recipe measures (`gold_retrieved`).
struct Rag4RagRegenerateHandler: TaskHandler {
    struct Answer: Decodable, Sendable {
        var answer: String
    }

    static let format = ResponseFormat.jsonSchema(
        name: "extracted_answer",
        schema: [
            "type": "object",
            "properties": ["answer": ["type": "string"]],
            "required": ["answer"],
            "additionalProperties": false,
        ],
        strict: true)

    let service: LLMService
    let specs: BuildSpecStore

    func handle(_ task: ClaimedTask, context: TaskContext) async throws -> TaskOutput {
        let payload = try task.decodePayload(Rag4RagPayload.Regenerate.self)
        let seed = payload.parent.parent
        let question = payload.output.question
        let spec = try await specs.spec(for: task.buildID, queue: context.queue)
        let topK = spec.parameters.int("top_k", default: 3)
        var hits = try await context.queue.searchRecords(buildID: task.buildID, query: question, limit: topK)
        if hits.isEmpty {
            // A question of stopwords only (or words no passage has): the topic is the next best query.
            hits = try await context.queue.searchRecords(buildID: task.buildID, query: seed.record.topic, limit: topK)
        }
        let retrieved = hits.map { Rag4RagRegeneration.Hit(line: $0.line, rank: ($0.rank * 1e6).rounded() / 1e6) }
        let goldRetrieved = hits.contains { $0.position == seed.recordPosition }
        return try await HandlerFailures.mapped {
            let prompt = try spec.prompt(Rag4RagRecipe.Prompt.regenerate)
            guard !hits.isEmpty else {
                let output = Rag4RagRegeneration(
                    repairedArm: seed.variant, question: question, answer: "", retrieved: [], goldRetrieved: false, exactSpan: false, call: nil)
                return try TaskOutput(encoding: output, promptVersion: prompt.version)
            }
            let contexts = hits.map { "<context>\n\(PromptTemplate.sanitised($0.text))\n</context>" }.joined(separator: "\n")
            let endpoint = try spec.endpoint(for: Rag4RagRecipe.Role.generator)
            let request = ChatRequest(
                messages: try prompt.messages(["contexts": contexts, "question": question], raw: ["contexts"]),
                temperature: spec.parameters.double("regeneration_temperature", default: 0), seed: spec.seed,
                maxTokens: spec.parameters.int("max_tokens", default: 512), responseFormat: Self.format)
            let decoded = try await service.chat(request, endpoint: endpoint, build: task.buildID, kind: task.kind, decoding: Answer.self)
            let answer = decoded.output.answer.trimmingCharacters(in: .whitespacesAndNewlines)
            let output = Rag4RagRegeneration(
                repairedArm: seed.variant, question: question, answer: answer, retrieved: retrieved, goldRetrieved: goldRetrieved,
                exactSpan: !answer.isEmpty && hits.contains { $0.text.contains(answer) },
                call: LLMCallRecord(decoded.result, endpoint: endpoint, service: service))
            return try TaskOutput(encoding: output, promptVersion: prompt.version)
        }
    }
}
