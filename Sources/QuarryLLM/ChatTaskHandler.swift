import QuarryJSON
import QuarryQueue

/// The generic `llm.chat` kind: one chat request per task.
///
/// Payload: `{"endpoint": "sim", "messages": [{"role": "user", "content": "…"}], "temperature"?: 0.7,
/// "seed"?: 1, "max_tokens"?: 256, "n"?: 1, "response_format"?: {…}, "sample"?: 0}`.
/// Output: `{"content": "…", "model": "…", "usage": {"prompt_tokens", "completion_tokens", "total_tokens"},
/// "cached": false}`.
public struct ChatTaskHandler: TaskHandler {
    public static let kind = "llm.chat"

    struct Payload: Decodable {
        var endpoint: String
        var messages: [ChatMessage]
        var temperature: Double?
        var seed: Int?
        var max_tokens: Int?
        var n: Int?
        var response_format: JSONValue?
        var sample: Int?
    }

    struct Output: Encodable {
        var content: String
        var model: String
        var usage: TokenUsage
        var cached: Bool
    }

    public let service: LLMService

    public init(service: LLMService) {
        self.service = service
    }

    public func handle(_ task: ClaimedTask, context: TaskContext) async throws -> TaskOutput {
        let payload = try task.decodePayload(Payload.self)
        var responseFormat: ResponseFormat?
        if let raw = payload.response_format {
            guard let format = ResponseFormat(json: raw) else {
                throw TaskError.permanent(
                    "bad_payload", "task \(task.id): response_format must be {\"type\": \"text\" | \"json_object\" | \"json_schema\", …}")
            }
            responseFormat = format
        }
        let request = ChatRequest(
            messages: payload.messages, temperature: payload.temperature, seed: payload.seed, maxTokens: payload.max_tokens,
            n: payload.n, responseFormat: responseFormat)
        do {
            let result = try await service.chat(
                request, endpoint: payload.endpoint, build: task.buildID, kind: task.kind, sample: payload.sample ?? 0)
            return try TaskOutput(encoding: Output(content: result.content, model: result.model, usage: result.usage, cached: result.cached))
        } catch {
            throw LLMError.queueError(for: error)
        }
    }
}
