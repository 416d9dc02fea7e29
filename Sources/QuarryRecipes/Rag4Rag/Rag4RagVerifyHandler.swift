import Foundation
import QuarryLLM
import QuarryQueue

/// `rag4rag.verify` and `rag4rag.reverify`: is the answer supported by the gold passage?
///
/// The verdict combines an LLM judge (verdict, unsupported spans, confidence) with `LexicalSupport`:
/// the answer is supported only when the judge says so, enough of its content words occur in the
/// passage (`min_lexical_support`) and, with `strict_numbers`, every number it states does.
struct Rag4RagVerifyHandler: TaskHandler {
    enum Stage: String, Sendable {
        case verify, reverify
    }

    struct JudgeAnswer: Decodable, Sendable {
        var supported: Bool
        var verdict: String?
        var unsupported_spans: [String]?
        var confidence: Double?
        var reason: String?
    }

    static let format = ResponseFormat.jsonSchema(
        name: "grounding_verdict",
        schema: [
            "type": "object",
            "properties": [
                "supported": ["type": "boolean"],
                "verdict": ["type": "string", "enum": ["supported", "unsupported"]],
                "unsupported_spans": ["type": "array", "items": ["type": "string"]],
                "confidence": ["type": "number", "minimum": 0, "maximum": 1],
                "reason": ["type": "string"],
            ],
            "required": ["supported", "verdict", "unsupported_spans", "confidence", "reason"],
            "additionalProperties": false,
        ],
        strict: true)

    let service: LLMService
    let specs: BuildSpecStore
    let stage: Stage

    func handle(_ task: ClaimedTask, context: TaskContext) async throws -> TaskOutput {
        let record: Rag4RagRecord
        let question: String
        let answer: String
        switch stage {
        case .verify:
            let payload = try task.decodePayload(Rag4RagPayload.Verify.self)
            (record, question, answer) = (payload.parent.record, payload.output.question, payload.output.answer)
        case .reverify:
            let payload = try task.decodePayload(Rag4RagPayload.Reverify.self)
            (record, question, answer) = (payload.parent.parent.parent.record, payload.output.question, payload.output.answer)
        }
        let spec = try await specs.spec(for: task.buildID, queue: context.queue)
        let lexical = LexicalSupport(answer: answer, passage: record.passage)
        return try await HandlerFailures.mapped {
            let prompt = try spec.prompt(Rag4RagRecipe.Prompt.verify)
            guard !answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                // Nothing to judge (a regeneration that found no answer): unsupported without a call.
                let output = Rag4RagVerification(
                    stage: stage.rawValue, verdict: Rag4RagVerdict.unsupported, spans: [], confidence: 1, question: question, answer: answer,
                    judge: nil, lexical: lexical, call: nil)
                return try TaskOutput(encoding: output, promptVersion: prompt.version)
            }
            let endpoint = try spec.endpoint(for: Rag4RagRecipe.Role.judge)
            let request = ChatRequest(
                messages: try prompt.messages(["passage": record.passage, "question": question, "answer": answer]),
                temperature: spec.parameters.double("judge_temperature", default: 0), seed: spec.seed,
                maxTokens: spec.parameters.int("max_tokens", default: 512), responseFormat: Self.format)
            let decoded = try await service.chat(request, endpoint: endpoint, build: task.buildID, kind: task.kind, decoding: JudgeAnswer.self)
            let judge = Rag4RagVerification.Judge(
                supported: decoded.output.supported,
                unsupportedSpans: (decoded.output.unsupported_spans ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty },
                confidence: decoded.output.confidence, reason: decoded.output.reason)
            let supported = Self.combine(
                judge: judge, lexical: lexical, minimumSupport: spec.parameters.double("min_lexical_support", default: 0.5),
                strictNumbers: spec.parameters.bool("strict_numbers", default: true))
            let output = Rag4RagVerification(
                stage: stage.rawValue, verdict: supported ? Rag4RagVerdict.supported : Rag4RagVerdict.unsupported,
                spans: supported ? [] : Self.spans(judge: judge, lexical: lexical), confidence: judge.confidence, question: question,
                answer: answer, judge: judge, lexical: lexical, call: LLMCallRecord(decoded.result, endpoint: endpoint, service: service))
            return try TaskOutput(encoding: output, promptVersion: prompt.version)
        }
    }

    static func combine(judge: Rag4RagVerification.Judge, lexical: LexicalSupport, minimumSupport: Double, strictNumbers: Bool) -> Bool {
        judge.supported && lexical.support >= minimumSupport && (!strictNumbers || lexical.unsupportedNumbers.isEmpty)
    }

    /// The judge's spans, then the lexical check's words that none of them already covers.
    static func spans(judge: Rag4RagVerification.Judge, lexical: LexicalSupport) -> [String] {
        var spans = judge.unsupportedSpans
        let covered = spans.map { $0.lowercased() }
        for word in lexical.unsupportedWords where !covered.contains(where: { $0.contains(word) }) {
            spans.append(word)
        }
        return spans
    }
}
