import QuarryQueue

/// `prereq.passage`: a passage paraphrasing a verified version's statements.
struct PrereqPassageHandler {
    func handle(_ payload: EachElement<PrereqPassageRequest>, context: GraphContext) async throws -> Produced<PrereqPassage> {
        let caller = try PrereqCaller(context)
        let request = payload.element
        let answer = try await caller.generate(
            PrereqPrompts.passage,
            PrereqPrompts.passageValues(name: request.name, statements: request.statements, sentences: caller.parameters.sentenceTarget),
            format: PrereqPrompts.passageFormat, decoding: PrereqPrompts.PassageAnswer.self)
        let text = PrereqText.clean(answer.output.passage)
        guard !text.isEmpty else { throw TaskError.retryable("bad_output", "the generator wrote an empty passage for version \(request.version) of \(request.name)") }
        let support = LexicalSupport(answer: text, passage: request.statements.joined(separator: "\n")).support
        return Produced(PrereqPassage(version: request.version, text: text, support: support, call: answer.call), promptVersion: answer.promptVersion)
    }
}
