/// Build-wide uniqueness of generated names, decided from the set of claims alone.
///
/// Each entity claims the names it was given, in the order it was given them. Entities are settled in
/// input order: each keeps its first claimed name that is no seed's name and that no earlier entity
/// kept; an entity left with none is excluded (`generated_name`). The outcome depends only on the set
/// of claims, never on which task finished first, so settling again (a restarted export, a re-run
/// check) gives the same names.
public struct PrereqNameRegistry: Sendable {
    /// One entity's claim: its input position and the names it was given, in order.
    public struct Claim: Sendable, Equatable {
        public var position: Int
        public var seed: String
        public var names: [String]

        public init(position: Int, seed: String, names: [String]) {
            self.position = position
            self.seed = seed
            self.names = names
        }
    }

    /// What one entity ends with.
    public enum Settlement: Sendable, Equatable {
        /// Keeps `name`, the claim's `index`-th name (from 0).
        case kept(name: String, index: Int)
        /// Every claimed name was unusable; the last problem met.
        case excluded(PrereqNames.Problem)
    }

    public let seedKeys: Set<String>

    /// A registry for a build whose input names are `seeds`.
    public init<S: Sequence>(seeds: S) where S.Element == String {
        seedKeys = Set(seeds.map(PrereqNames.key))
    }

    /// The settlement of every claim, by position.
    public func settle(_ claims: [Claim]) -> [Int: Settlement] {
        var taken: Set<String> = []
        var result: [Int: Settlement] = [:]
        for claim in claims.sorted(by: { $0.position < $1.position }) {
            var last = PrereqNames.Problem.empty
            var settled: Settlement?
            for (index, name) in claim.names.enumerated() {
                if let problem = PrereqNames.problem(candidate: name, seed: claim.seed, seedKeys: seedKeys, takenKeys: taken) {
                    last = problem
                    continue
                }
                taken.insert(PrereqNames.key(name))
                settled = .kept(name: name, index: index)
                break
            }
            result[claim.position] = settled ?? .excluded(last)
        }
        return result
    }
}
