import QuarryQueue

/// `prereq.entity`: invents the fictitious entity modelled on a seed. A proposed name that is the seed,
/// or any name of the build's input (found by full-text search over the records, compared by
/// `PrereqNames.key`), is refused and asked for again with every refused name to avoid, up to
/// `name_attempts` times; then the entity is left unnamed and the graph stops there.
///
/// Names other entities of the build generate are checked once every entity is named, by
/// `prereq.name` (a barrier): a check here could only see the entities that happened to finish first,
/// and would make the data depend on timing.
struct PrereqEntityHandler {
    func handle(_ payload: Seed<PrereqTuneRecord>, context: GraphContext) async throws -> Produced<PrereqEntity> {
        let caller = try PrereqCaller(context)
        let seed = PrereqText.clean(payload.record.name)
        var proposal = PrereqEntityProposal(seed: seed)
        let named = try await proposal.propose(caller: caller, context: context, taken: [])
        return Produced(named ?? proposal.unnamed, promptVersion: proposal.promptVersion)
    }
}

/// Asking the generator for a name until one passes the checks: what `prereq.entity` does first, and
/// `prereq.name` again for an entity whose name an earlier entity of the input holds.
struct PrereqEntityProposal {
    let seed: String
    var rejected: [PrereqEntity.RejectedName] = []
    var calls: [LLMCallRecord] = []
    var promptVersion = ""

    init(seed: String, rejected: [PrereqEntity.RejectedName] = [], calls: [LLMCallRecord] = []) {
        self.seed = seed
        self.rejected = rejected
        self.calls = calls
    }

    /// Up to `name_attempts` proposals, each told every name refused so far; the first that is not the
    /// seed, not a name of the input and (by key) not in `taken` names the entity.
    mutating func propose(caller: PrereqCaller, context: GraphContext, taken: Set<String>) async throws -> PrereqEntity? {
        for _ in 0..<caller.parameters.nameAttempts {
            let answer = try await caller.generate(
                PrereqPrompts.entity, PrereqPrompts.entityValues(seed: seed, avoid: rejected.map(\.name), domain: caller.parameters.domain),
                format: PrereqPrompts.entityFormat, decoding: PrereqPrompts.EntityAnswer.self)
            calls.append(answer.call)
            promptVersion = answer.promptVersion
            let name = PrereqText.clean(answer.output.name)
            let matches = name.isEmpty ? [] : try await context.records.search(buildID: context.buildID, query: name, limit: 20)
            let seedKeys = Set(matches.map { PrereqNames.key($0.text) })
            if let problem = PrereqNames.problem(candidate: name, seed: seed, seedKeys: seedKeys, takenKeys: taken) {
                rejected.append(PrereqEntity.RejectedName(name: name, problem: problem))
                continue
            }
            return PrereqEntity(
                seed: seed, named: true, name: name, type: PrereqText.clean(answer.output.type), summary: PrereqText.clean(answer.output.summary),
                rejected: rejected, calls: calls)
        }
        return nil
    }

    /// The entity when no proposal passed.
    var unnamed: PrereqEntity {
        PrereqEntity(seed: seed, named: false, name: "", type: "", summary: "", rejected: rejected, calls: calls)
    }
}
