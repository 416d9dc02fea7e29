import QuarryJSON

/// Builds the `text_completion` response, including legacy `logprobs` (`tokens`, `token_logprobs`,
/// `top_logprobs`, `text_offset`) over the echoed prompt and the completion.
struct CompletionGenerator {
    let request: CompletionRequest
    let environment: GenerationEnvironment

    func generate() -> EndpointOutput {
        let hallucinate = environment.shouldHallucinate
        var choices: [JSONValue] = []
        var completionTokens = 0
        var hallucinated = false
        for (promptIndex, prompt) in request.prompts.enumerated() {
            let source = GroundingSource(sourceText: prompt, promptText: prompt)
            for sample in 0..<request.n {
                let index = promptIndex * request.n + sample
                let seed =
                    request.temperature == 0
                    ? SplitMix64.combine(environment.requestSeed, UInt64(promptIndex) << 32)
                    : SplitMix64.combine(environment.requestSeed, UInt64(index + 1))
                var text = TextGenerator(source: source, seed: seed)
                var completion = ""
                var finish = "length"
                if request.maxTokens > 0 {
                    var words = text.words(atLeast: text.rng.nextInt(in: 8...30))
                    let maxWords = TokenCounter.maxWords(forTokens: request.maxTokens)
                    if words.count > maxWords {
                        words = Array(words.prefix(maxWords))
                    } else {
                        finish = "stop"
                    }
                    if hallucinate { text.injectHallucination(into: &words) }
                    // A completion continues the prompt, so it starts with a space like a real first token.
                    completion = words.isEmpty ? "" : " " + GeneratedWord.render(words)
                    if let cut = ChatCompletionGenerator.firstStop(in: completion, stops: request.stop) {
                        completion = String(completion[..<cut])
                        finish = "stop"
                    }
                }
                if !FictitiousVocabulary.inventedWords(in: completion, promptKeys: source.promptKeys).isEmpty {
                    hallucinated = true
                }
                completionTokens += TokenCounter.tokens(in: completion)
                let textOut = request.echo ? prompt + completion : completion
                choices.append(
                    .object([
                        "index": .int(index),
                        "text": .string(textOut),
                        "logprobs": request.logprobs.map { logprobs(prompt: prompt, completion: completion, top: $0, vocabulary: source.words, salt: seed) } ?? .null,
                        "finish_reason": .string(finish),
                    ]))
            }
        }
        let id = "cmpl-sim\(environment.idSuffix)"
        let promptTokens = request.totalPromptTokens
        let body = environment.completionEnvelope(
            id: id, object: "text_completion", model: request.model, choices: choices, promptTokens: promptTokens,
            completionTokens: completionTokens)
        return EndpointOutput(
            body: body, promptTokens: promptTokens, completionTokens: completionTokens, hallucinated: hallucinated,
            completionID: id)
    }

    /// Offsets count Unicode scalars from the start of the prompt, echoed or not (as OpenAI's do). The first
    /// echoed token has no context, so its logprob and top_logprobs are null.
    private func logprobs(prompt: String, completion: String, top: Int, vocabulary: [String], salt: UInt64) -> JSONValue {
        var tokens: [JSONValue] = []
        var tokenLogprobs: [JSONValue] = []
        var topLogprobs: [JSONValue] = []
        var offsets: [JSONValue] = []
        let promptLength = prompt.unicodeScalars.count
        var pieces: [(text: String, offset: Int, first: Bool)] = []
        if request.echo {
            for (position, piece) in TokenCounter.pieces(of: prompt).enumerated() {
                pieces.append((piece.text, piece.offset, position == 0))
            }
        }
        for piece in TokenCounter.pieces(of: completion) {
            pieces.append((piece.text, promptLength + piece.offset, false))
        }
        for (position, piece) in pieces.enumerated() {
            tokens.append(.string(piece.text))
            offsets.append(.int(piece.offset))
            if piece.first {
                tokenLogprobs.append(.null)
                topLogprobs.append(.null)
                continue
            }
            let value = LogprobModel.logprob(for: piece.text)
            tokenLogprobs.append(.double(value))
            var alternatives: [String: JSONValue] = [:]
            if top > 0 {
                alternatives[piece.text] = .double(value)
                for alternative in LogprobModel.alternatives(
                    to: piece.text, logprob: value, count: top - 1, vocabulary: vocabulary,
                    salt: SplitMix64.combine(salt, UInt64(position)))
                {
                    alternatives[alternative.token] = .double(alternative.logprob)
                }
            }
            topLogprobs.append(.object(alternatives))
        }
        return .object([
            "tokens": .array(tokens),
            "token_logprobs": .array(tokenLogprobs),
            "top_logprobs": .array(topLogprobs),
            "text_offset": .array(offsets),
        ])
    }
}
