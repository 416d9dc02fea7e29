import QuarryQueue

/// `prereq.entity`: invents the fictitious entity modelled on a seed. A proposed name that is the seed,
/// or any name of the build's input (found by full-text search over the records, compared by
/// `PrereqNames.key`), is refused and asked for again with every refused name to avoid, up to
/// `name_attempts` times; then the entity is left unnamed and the graph stops there.
///
/// Names other entities of the build generate are settled at export (`PrereqNameRegistry`): a check
/// here could only see the entities that happened to finish first, and would make the data depend on
/// timing.
struct PrereqEntityHandler {
    func handle(_ payload: Seed<PrereqTuneRecord>, context: GraphContext) async throws -> Produced<PrereqEntity> {
        let caller = try PrereqCaller(context)
        let seed = PrereqText.clean(payload.record.name)
        var rejected: [PrereqEntity.RejectedName] = []
        var calls: [LLMCallRecord] = []
        var version = ""
        for _ in 0..<caller.parameters.nameAttempts {
            let answer = try await caller.generate(
                PrereqPrompts.entity, PrereqPrompts.entityValues(seed: seed, avoid: rejected.map(\.name), domain: caller.parameters.domain),
                format: PrereqPrompts.entityFormat, decoding: PrereqPrompts.EntityAnswer.self)
            calls.append(answer.call)
            version = answer.promptVersion
            let name = PrereqText.clean(answer.output.name)
            let matches = name.isEmpty ? [] : try await context.records.search(buildID: context.buildID, query: name, limit: 20)
            let seedKeys = Set(matches.map { PrereqNames.key($0.text) })
            if let problem = PrereqNames.problem(candidate: name, seed: seed, seedKeys: seedKeys, takenKeys: []) {
                rejected.append(PrereqEntity.RejectedName(name: name, problem: problem))
                continue
            }
            let entity = PrereqEntity(
                seed: seed, named: true, name: name, type: PrereqText.clean(answer.output.type), summary: PrereqText.clean(answer.output.summary),
                rejected: rejected, calls: calls)
            return Produced(entity, promptVersion: version)
        }
        let entity = PrereqEntity(seed: seed, named: false, name: "", type: "", summary: "", rejected: rejected, calls: calls)
        return Produced(entity, promptVersion: version)
    }
}
