import QuarryLLM
import QuarryQueue

/// `prereq.verify` and `prereq.reverify.N` (and their `prereq.qa.` twins): verifies an entity's version
/// group once all its (re)writings have finished. The deterministic checks (`PrereqCheck`) run first;
/// with `judge`, each fresh version that passed them is also put to the judge (is the task answer
/// supported by the version's statements?), all of them concurrently (`ConcurrentCalls`).
struct PrereqVerifyHandler<Content: PrereqVersionContent> {
    let level: Int

    func handle(
        entity: PrereqEntity, previous: PrereqVerification<Content>?, fresh: [Int: Content?], context: GraphContext
    ) async throws -> Produced<PrereqVerification<Content>> {
        let caller = try PrereqCaller(context)
        let parameters = caller.parameters
        guard entity.named else {
            // Nothing was written (the graph stops at an unnamed entity): an empty group, nothing to regenerate.
            return Produced(PrereqVerification(level: level, entries: [], failed: [], passedNow: [], passages: [], complete: false, calls: []))
        }
        let checked = PrereqVerification<Content>.assemble(
            level: level, versions: parameters.versions, previous: previous, fresh: fresh, minimum: parameters.minLexicalSupport)
        var judged: [Int: Bool] = [:]
        var calls: [LLMCallRecord] = []
        var promptVersion: String?
        if parameters.judge {
            // Every judge call runs to its end even when one fails, so the retry finds the others' answers cached.
            let answers = try await ConcurrentCalls.all(
                checked.judgeable.map { content in
                    let evidence = content.evidence
                    let question = content.question(entity: entity.name, domain: parameters.domain)
                    let attempt = content.attempt
                    return { @Sendable in
                        let answer = try await caller.ask(
                            PrereqPrompts.verify, PrereqPrompts.verifyValues(statements: evidence.statements, question: question, answer: evidence.answer),
                            format: PrereqPrompts.verifyFormat, role: PrereqTuneRecipe.Role.judge, temperature: parameters.judgeTemperature,
                            attempt: attempt, decoding: PrereqPrompts.JudgeAnswer.self)
                        return (evidence.version, answer)
                    }
                })
            for (version, answer) in answers.sorted(by: { $0.0 < $1.0 }) {
                judged[version] = answer.output.supported
                calls.append(answer.call)
                promptVersion = answer.promptVersion
            }
        }
        var verification = PrereqVerification<Content>.assemble(
            level: level, versions: parameters.versions, previous: previous, fresh: fresh, judged: judged, minimum: parameters.minLexicalSupport,
            calls: calls)
        if parameters.strategy == .topDown {
            verification.passages = verification.passedNow.compactMap { version in
                verification.entry(version)?.content.map { PrereqPassageRequest(version: version, name: entity.name, statements: $0.knowledge) }
            }
        }
        return Produced(verification, promptVersion: promptVersion)
    }

    /// The fresh versions of a level from its writing tasks: by version, nil where the task failed.
    /// At level 0 a child's index is its version; after, it is its place in the previous level's `failed`.
    static func fresh(_ children: [ChildResult<Content>], previous: PrereqVerification<Content>?) -> [Int: Content?] {
        var fresh: [Int: Content?] = [:]
        for child in children {
            let version: Int?
            if let previous {
                version = previous.failed.indices.contains(child.index - 1) ? previous.failed[child.index - 1].version : child.output?.version
            } else {
                version = child.index
            }
            guard let version else { continue }
            fresh[version] = .some(child.output)
        }
        return fresh
    }
}
