import QuarryJSON

/// Builds the `chat.completion` response for a validated request. Pure: the same request and environment
/// always give the same body (apart from `created`).
struct ChatCompletionGenerator {
    let request: ChatCompletionRequest
    let environment: GenerationEnvironment

    private struct Choice {
        var content: String
        var finishReason: String
    }

    func generate() -> EndpointOutput {
        let allText = request.allText
        let source = GroundingSource(sourceText: request.groundingText, promptText: allText)
        let judge = GroundingJudge.isJudgeRequest(messageText: allText, schema: request.schema)
        var verdict = judge ? GroundingJudge.verdict(forPrompt: allText, flip: environment.shouldFlipJudge) : nil
        if let found = verdict, GroundingJudge.isContradictionRequest(schema: request.schema) {
            verdict = GroundingJudge.contradictionVerdict(found)
        }
        let hallucinate = !judge && environment.shouldHallucinate

        var choices: [JSONValue] = []
        var completionTokens = 0
        var hallucinated = false
        for index in 0..<request.n {
            // Temperature 0 means greedy decoding: every choice is the same text.
            let seed = request.temperature == 0 ? environment.requestSeed : SplitMix64.combine(environment.requestSeed, UInt64(index + 1))
            var text = TextGenerator(source: source, seed: seed)
            let choice = makeChoice(text: &text, verdict: verdict, hallucinate: hallucinate)
            if !judge && !FictitiousVocabulary.inventedWords(in: choice.content, promptKeys: source.promptKeys).isEmpty {
                hallucinated = true
            }
            completionTokens += TokenCounter.tokens(in: choice.content)
            choices.append(
                .object([
                    "index": .int(index),
                    "message": .object(["role": .string("assistant"), "content": .string(choice.content), "refusal": .null]),
                    "logprobs": request.logprobs ? logprobs(for: choice.content, vocabulary: source.words, salt: seed) : .null,
                    "finish_reason": .string(choice.finishReason),
                ]))
        }
        let id = "chatcmpl-sim\(environment.idSuffix)"
        let promptTokens = request.promptTokens
        let body = environment.completionEnvelope(
            id: id, object: "chat.completion", model: request.model, choices: choices, promptTokens: promptTokens,
            completionTokens: completionTokens)
        return EndpointOutput(
            body: body, promptTokens: promptTokens, completionTokens: completionTokens, hallucinated: hallucinated,
            judge: judge, completionID: id)
    }

    private func makeChoice(text: inout TextGenerator, verdict: GroundingJudge.Verdict?, hallucinate: Bool) -> Choice {
        let maxWords = request.maxTokens.map(TokenCounter.maxWords(forTokens:))
        var content: String
        var finish = "stop"
        switch (request.responseFormat, verdict) {
        case (.text, let verdict?):
            content = verdict.supported ? "SUPPORTED: \(verdict.reason)" : "UNSUPPORTED: \(verdict.reason)"
        case (.jsonObject, let verdict?):
            content = JudgeOutput.object(for: verdict).canonicalString
        case (.jsonSchema(_, let schema), let verdict?):
            var generator = SchemaInstanceGenerator(
                schema: schema, text: text, hallucinate: false, override: JudgeOutput.override(for: verdict))
            content = generator.generate().canonicalString
        case (.text, nil):
            var words = text.words(atLeast: text.rng.nextInt(in: 12...40))
            if let maxWords, words.count > maxWords {
                words = Array(words.prefix(maxWords))
                finish = "length"
            }
            if hallucinate { text.injectHallucination(into: &words) }
            content = GeneratedWord.render(words)
        case (.jsonObject, nil):
            var words = text.words(atLeast: text.rng.nextInt(in: 8...20))
            if hallucinate { text.injectHallucination(into: &words) }
            content = JSONValue.object(["answer": .string(GeneratedWord.render(words))]).canonicalString
        case (.jsonSchema(_, let schema), nil):
            var generator = SchemaInstanceGenerator(schema: schema, text: text, hallucinate: hallucinate)
            content = generator.generate().canonicalString
        }
        // A budget too small for the JSON cuts it mid-document, as a real model's would be.
        if let maxWords, TokenCounter.wordCount(content) > maxWords {
            content = TokenCounter.pieces(of: content).prefix(maxWords).map(\.text).joined()
            finish = "length"
        }
        if let cut = Self.firstStop(in: content, stops: request.stop) {
            content = String(content[..<cut])
            finish = "stop"
        }
        return Choice(content: content, finishReason: finish)
    }

    static func firstStop(in content: String, stops: [String]) -> String.Index? {
        stops.compactMap { content.range(of: $0)?.lowerBound }.min()
    }

    /// Chat-style `logprobs.content`: one entry per word token, with `top_logprobs` alternatives.
    private func logprobs(for content: String, vocabulary: [String], salt: UInt64) -> JSONValue {
        var entries: [JSONValue] = []
        for (position, piece) in TokenCounter.pieces(of: content).enumerated() {
            let value = LogprobModel.logprob(for: piece.text)
            var top: [JSONValue] = []
            if request.topLogprobs > 0 {
                top.append(Self.entry(piece.text, value))
                for alternative in LogprobModel.alternatives(
                    to: piece.text, logprob: value, count: request.topLogprobs - 1, vocabulary: vocabulary,
                    salt: SplitMix64.combine(salt, UInt64(position)))
                {
                    top.append(Self.entry(alternative.token, alternative.logprob))
                }
            }
            var entry = Self.entry(piece.text, value)
            if case .object(var members) = entry {
                members["top_logprobs"] = .array(top)
                entry = .object(members)
            }
            entries.append(entry)
        }
        return .object(["content": .array(entries), "refusal": .null])
    }

    private static func entry(_ token: String, _ logprob: Double) -> JSONValue {
        .object([
            "token": .string(token),
            "logprob": .double(logprob),
            "bytes": .array(token.utf8.map { .int(Int($0)) }),
        ])
    }
}
