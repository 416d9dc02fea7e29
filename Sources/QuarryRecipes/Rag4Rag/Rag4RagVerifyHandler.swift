import Foundation
import QuarryLLM
import QuarryQueue

/// `rag4rag.verify` and `rag4rag.reverify`: is the answer supported by the gold passage?
///
/// The verdict combines an LLM judge (verdict, unsupported spans, confidence) with `LexicalSupport`:
/// the answer is supported only when the judge says so, enough of its content words occur in the
/// passage (`min_lexical_support`) and, with `strict_numbers`, every number it states does.
struct Rag4RagVerifyHandler {
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
    let stage: Rag4RagVerification.Stage

    func handle(record: Rag4RagRecord, question: String, answer: String, context: GraphContext) async throws -> Produced<Rag4RagVerification> {
        let spec = context.spec
        let parameters = try context.parameters(Rag4RagRecipe.Parameters.self)
        let lexical = LexicalSupport(answer: answer, passage: record.passage)
        let prompt = try spec.prompt(Rag4RagRecipe.Prompt.verify)
        guard !answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            // Nothing to judge (a regeneration that found no answer): unsupported without a call.
            let output = Rag4RagVerification(
                stage: stage, verdict: .unsupported, spans: [], confidence: 1, question: question, answer: answer, judge: nil, lexical: lexical,
                call: nil)
            return Produced(output, promptVersion: prompt.version)
        }
        let endpoint = try spec.endpoint(for: Rag4RagRecipe.Role.judge)
        let request = ChatRequest(
            messages: try prompt.messages(["passage": record.passage, "question": question, "answer": answer]),
            temperature: parameters.judgeTemperature, seed: spec.seed, maxTokens: parameters.maxTokens, responseFormat: Self.format)
        let decoded = try await service.chat(request, endpoint: endpoint, build: context.buildID, kind: context.task.kind, decoding: JudgeAnswer.self)
        let judge = Rag4RagVerification.Judge(
            supported: decoded.output.supported,
            unsupportedSpans: (decoded.output.unsupported_spans ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty },
            confidence: decoded.output.confidence, reason: decoded.output.reason)
        let supported = Self.combine(
            judge: judge, lexical: lexical, minimumSupport: parameters.minLexicalSupport, strictNumbers: parameters.strictNumbers)
        let output = Rag4RagVerification(
            stage: stage, verdict: supported ? .supported : .unsupported, spans: supported ? [] : Self.spans(judge: judge, lexical: lexical),
            confidence: judge.confidence, question: question, answer: answer, judge: judge, lexical: lexical,
            call: LLMCallRecord(decoded.result, endpoint: endpoint, service: service))
        return Produced(output, promptVersion: prompt.version)
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
