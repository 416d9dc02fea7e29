import QuarryQueue

/// Writes one version of an entity's knowledge, for `prereq.biography` / `prereq.regenerate`
/// (top-down: biography around the version's fact sheet, then its atomic statements) and
/// `prereq.qa.triple` / `prereq.qa.regenerate` (bottom-up: the invented object, then the templated
/// knowledge statement and question).
struct PrereqVersionWriter {
    let caller: PrereqCaller

    init(_ context: GraphContext) throws {
        caller = try PrereqCaller(context)
    }

    func biography(entity: PrereqEntity, version: Int, attempt: Int, feedback: String) async throws -> Produced<PrereqVersion> {
        let parameters = caller.parameters
        let facts = PrereqFactSheet(name: entity.name, domain: parameters.domain, version: version)
        let written = try await caller.generate(
            PrereqPrompts.biography, PrereqPrompts.biographyValues(entity: entity, version: version, facts: facts, feedback: feedback, parameters: parameters),
            format: PrereqPrompts.biographyFormat(sentences: parameters.sentenceTarget), attempt: attempt, decoding: PrereqPrompts.BiographyAnswer.self)
        let biography = PrereqText.biography(written.output.sentences)
        guard !biography.text.isEmpty else {
            throw TaskError.retryable("bad_output", "the generator wrote an empty biography for version \(version) of \(entity.name)")
        }
        let extracted = try await caller.generate(
            PrereqPrompts.statements, PrereqPrompts.statementsValues(name: entity.name, biography: biography.text), format: PrereqPrompts.statementsFormat,
            attempt: attempt, decoding: PrereqPrompts.StatementsAnswer.self)
        let statements = PrereqText.statements(extracted.output.statements, entity: entity.name)
        let output = PrereqVersion(
            version: version, attempt: attempt, facts: facts.facts, biography: biography.text, sentences: biography.count, statements: statements.named,
            unnamed: statements.unnamed, calls: [written.call, extracted.call])
        return Produced(output, promptVersion: "\(written.promptVersion)+\(extracted.promptVersion)")
    }

    func triple(entity: PrereqEntity, version: Int, attempt: Int, avoid: [String]) async throws -> Produced<PrereqTriple> {
        let domain = caller.parameters.domain
        let relation = PrereqRelation.of(name: entity.name, domain: domain)
        let answer = try await caller.generate(
            PrereqPrompts.triple, PrereqPrompts.tripleValues(entity: entity, version: version, relation: relation, others: avoid, domain: domain),
            format: PrereqPrompts.tripleFormat, attempt: attempt, decoding: PrereqPrompts.TripleAnswer.self)
        let object = PrereqText.clean(answer.output.object)
        let output = PrereqTriple(
            version: version, attempt: attempt, subject: entity.name, relation: relation.id, object: object, statement: relation.statement(subject: entity.name, object: object),
            question: relation.question(subject: entity.name), possibleAnswers: PrereqText.possibleAnswers(object: object, aliases: answer.output.aliases),
            calls: [answer.call])
        return Produced(output, promptVersion: answer.promptVersion)
    }
}
