import QuarryJSON
import Foundation

extension LLMService {
    static let chatPath = "/chat/completions"

    /// Why an answer cannot be used, and what to tell the model in the repair round.
    struct OutputProblem: Error, Sendable {
        var reason: String
        var instruction: String
    }

    /// Sends a chat request through cache, limits and accounting.
    ///
    /// When the request asks for JSON (`response_format`), an answer that is not JSON, or was cut off at
    /// `max_tokens`, gets repair rounds (see `chat(_:endpoint:build:kind:sample:decoding:)`). Plain-text
    /// answers are returned as they are, `finishReason` included.
    public func chat(_ request: ChatRequest, endpoint: String, build: Int, kind: String, sample: Int = 0) async throws -> ChatResult {
        let wantsJSON = request.responseFormat?.expectsJSON ?? false
        let accept = { (content: String, finish: String?) -> Result<Void, OutputProblem> in
            guard wantsJSON else { return .success(()) }
            if finish == "length" { return .failure(Self.cutOff) }
            do {
                _ = try JSONValue.parse(Self.strippingCodeFence(content))
                return .success(())
            } catch {
                return .failure(
                    OutputProblem(
                        reason: "the answer is not valid JSON",
                        instruction: "Your previous reply was not valid JSON. Reply again with only the JSON document, nothing before or after it."))
            }
        }
        return try await onHTTPDriver {
            try await chatAccepting(request, endpoint: endpoint, build: build, kind: kind, sample: sample, accept: accept).result
        }
    }

    /// Sends a chat request and decodes the answer's content (JSON) as `Output`. An answer that does not
    /// decode, or was cut off at `max_tokens`, is sent back with a repair instruction, up to
    /// `configuration.maxRepairs` times within this one call (one queue attempt); after that the call
    /// fails with `invalidOutput`, keeping the raw answer.
    public func chat<Output: Decodable & Sendable>(
        _ request: ChatRequest, endpoint: String, build: Int, kind: String, sample: Int = 0, decoding: Output.Type
    ) async throws -> DecodedChatResult<Output> {
        let accept = { (content: String, finish: String?) -> Result<Output, OutputProblem> in
            if finish == "length" { return .failure(Self.cutOff) }
            do {
                return .success(try JSONDecoder().decode(Output.self, from: Data(Self.strippingCodeFence(content).utf8)))
            } catch {
                let why = LLMClient.describe(error)
                return .failure(
                    OutputProblem(
                        reason: "the answer does not decode as \(Output.self): \(why)",
                        instruction: "Your previous reply could not be used: \(why). Reply again with only a JSON document "
                            + "that has exactly the required fields and types, and nothing before or after it."))
            }
        }
        let (output, result) = try await onHTTPDriver {
            try await chatAccepting(request, endpoint: endpoint, build: build, kind: kind, sample: sample, accept: accept)
        }
        return DecodedChatResult(output: output, result: result)
    }

    static let cutOff = OutputProblem(
        reason: "the answer was cut off at max_tokens (finish_reason=length)",
        instruction: "Your previous reply was cut off because it was too long. Reply again, more briefly, "
            + "so that the complete answer fits.")

    /// The repair loop shared by both `chat`s: cache, then up to 1 + maxRepairs rounds.
    func chatAccepting<Output: Sendable>(
        _ request: ChatRequest, endpoint name: String, build: Int, kind: String, sample: Int,
        accept: (String, String?) -> Result<Output, OutputProblem>
    ) async throws -> (output: Output, result: ChatResult) {
        let runtime = try runtime(name)
        let context = try await context(build: build, kind: kind, sample: sample)
        let model = runtime.endpoint.model
        let originalBody = request.body(model: model)
        let key = CacheKey.make(identity: runtime.endpoint.cacheIdentity, path: Self.chatPath, body: originalBody, sample: sample)

        // An answer cached and usable as it is. (A cached first answer that is not usable is the first round
        // of an earlier call, repaired then or in vain: `chatRounds` replays its rounds from the cache.)
        func replay() async throws -> (output: Output, result: ChatResult)? {
            guard let hit = try await cachedAnswer(ChatCompletionResponse.self, key: key, runtime: runtime, context: context, record: false),
                let choice = hit.response.choices.first, case .success(let output) = accept(choice.message.content ?? "", choice.finishReason)
            else { return nil }
            return (output, Self.result(hit, cached: true, repairs: 0, usage: hit.usage))
        }
        if let cached = try await replay() {
            recordCacheHit(runtime: runtime, context: context)
            return cached
        }
        let (answer, shared) = try await sharingInFlight(key: key, runtime: runtime, context: context, replay: replay) {
            try await chatRounds(request, runtime: runtime, context: context, key: key, originalBody: originalBody, accept: accept)
        }
        guard shared else { return answer }
        var result = answer.result
        result.cached = true
        return (answer.output, result)
    }

    /// The endpoint rounds of `chatAccepting`: the request, then up to `maxRepairs` repair rounds.
    ///
    /// Every answer paid for is cached under the key of the exact body it answered, accepted or not. A round
    /// can fail after earlier ones were paid for (a 429, a 500); the task's retry then replays those from the
    /// cache and pays only for the rounds that had no answer yet.
    private func chatRounds<Output: Sendable>(
        _ request: ChatRequest, runtime: EndpointRuntime, context: CallContext, key: [UInt8], originalBody: JSONValue,
        accept: (String, String?) -> Result<Output, OutputProblem>
    ) async throws -> (output: Output, result: ChatResult) {
        let name = runtime.endpoint.name
        let model = runtime.endpoint.model
        var current = request
        var spent = TokenUsage()
        var paid = false
        for round in 0...max(0, configuration.maxRepairs) {
            let body = round == 0 ? originalBody : current.body(model: model)
            let roundKey = round == 0 ? key : CacheKey.make(identity: runtime.endpoint.cacheIdentity, path: Self.chatPath, body: body, sample: context.sample)
            let answer: Answer<ChatCompletionResponse>
            if let cached = try await cachedAnswer(ChatCompletionResponse.self, key: roundKey, runtime: runtime, context: context, record: false) {
                answer = cached
            } else {
                answer = try await send(
                    ChatCompletionResponse.self, path: Self.chatPath, body: body, runtime: runtime, context: context,
                    estimatedTokens: current.estimatedTokens)
                paid = true
                await remember(answer, key: roundKey, path: Self.chatPath, runtime: runtime, context: context)
            }
            spent = spent + answer.usage
            guard let choice = answer.response.choices.first else {
                throw LLMError(
                    code: .malformedResponse, endpoint: name, status: 200, message: "the answer has no choices",
                    rawOutput: String(decoding: answer.body.prefix(configuration.rawOutputLimit), as: UTF8.self))
            }
            let content = choice.message.content ?? ""
            switch accept(content, choice.finishReason) {
            case .success(let output):
                if !paid { recordCacheHit(runtime: runtime, context: context) }
                return (output, Self.result(answer, cached: !paid, repairs: round, usage: spent))
            case .failure(let problem):
                if round >= configuration.maxRepairs {
                    throw LLMError(
                        code: .invalidOutput, endpoint: name, status: 200,
                        message: "the answer was unusable after \(round) repair round(s): \(problem.reason)",
                        rawOutput: Self.truncated(content, limit: configuration.rawOutputLimit))
                }
                current.messages.append(.assistant(content))
                current.messages.append(.user(problem.instruction))
            }
        }
        // The loop returns or throws on its last round.
        throw LLMError(code: .invalidOutput, endpoint: name, message: "no repair rounds configured")
    }

    static func result(_ answer: Answer<ChatCompletionResponse>, cached: Bool, repairs: Int, usage: TokenUsage) -> ChatResult {
        let choices = answer.response.choices.sorted { $0.index < $1.index }
        let first = choices.first
        return ChatResult(
            content: first?.message.content ?? "", choices: choices.map { $0.message.content ?? "" },
            finishReason: first?.finishReason, model: answer.response.model ?? "", usage: usage, cached: cached,
            repairs: repairs, tokenLogprobs: first?.logprobs?.content?.map(\.logprob))
    }

    /// Models often wrap JSON in a Markdown code fence; the document inside is what counts.
    static func strippingCodeFence(_ content: String) -> String {
        var text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("```") else { return text }
        if let firstNewline = text.firstIndex(of: "\n") {
            text = String(text[text.index(after: firstNewline)...])
        } else {
            text = String(text.dropFirst(3))
        }
        if text.hasSuffix("```") { text = String(text.dropLast(3)) }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// At most `limit` bytes of `text`, cut on a character boundary, with a note of what was dropped.
    static func truncated(_ text: String, limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var cut = text.utf8.prefix(limit)
        while !cut.isEmpty, String(cut) == nil { cut = cut.dropLast() }
        return (String(cut) ?? "") + "… [\(text.utf8.count - cut.count) more bytes]"
    }
}
