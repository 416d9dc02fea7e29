import QuarryQueue

/// `prereq.name`: runs once every entity of the build has finished (a barrier edge), so it sees every
/// generated name. The build's names are settled in input order (`PrereqNameRegistry`): an entity whose
/// name an earlier entity holds asks the generator for another, avoiding it and checked against every
/// name kept, up to `name_attempts` times; if none passes it is left unnamed, with its refused names and
/// why. The outcome depends only on the input, the spec and the seed, never on which task finished first.
/// (Two entities renamed at the same time could still draw the same new name; the export's settlement
/// then keeps the earlier one and excludes the other, saying why.)
struct PrereqNameHandler {
    typealias Kind = PrereqTuneRecipe.Kind

    /// The settlement of every generated name of the build, with the keys of the names kept.
    struct Settled: Sendable {
        var settlement: [Int: PrereqNameRegistry.Settlement]
        var taken: Set<String>
    }

    func handle(_ payload: Follows<PrereqEntity>, context: GraphContext) async throws -> Produced<PrereqEntity> {
        let entity = try await context.output(of: Kind.entity)
        let position = try await context.payload(of: Kind.entity).position
        // Every name task of the build needs the same settlement: computed once per worker process.
        let settled = try await context.memoized("prereq.names") { try await Self.settle(context) }
        guard case .excluded(let problem) = settled.settlement[position] else { return Produced(entity) }
        let caller = try PrereqCaller(context)
        var proposal = PrereqEntityProposal(
            seed: entity.seed, rejected: entity.rejected + [PrereqEntity.RejectedName(name: entity.name, problem: problem)], calls: entity.calls)
        let renamed = try await proposal.propose(caller: caller, context: context, taken: settled.taken)
        return Produced(renamed ?? proposal.unnamed, promptVersion: proposal.promptVersion)
    }

    static func settle(_ context: GraphContext) async throws -> Settled {
        let all = try await context.outputs(ofAll: Kind.entity).compactMap { row in row.output.map { (position: row.index, entity: $0) } }
        let claims = all.filter(\.entity.named).map { PrereqNameRegistry.Claim(position: $0.position, seed: $0.entity.seed, names: [$0.entity.name]) }
        let settlement = PrereqNameRegistry(seeds: all.map(\.entity.seed)).settle(claims)
        var taken: Set<String> = []
        for case .kept(let name, _) in settlement.values { taken.insert(PrereqNames.key(name)) }
        return Settled(settlement: settlement, taken: taken)
    }
}
