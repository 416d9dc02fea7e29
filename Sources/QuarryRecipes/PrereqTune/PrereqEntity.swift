/// `prereq.entity`'s output: the fictitious entity modelled on a seed, or why none could be named.
public struct PrereqEntity: Sendable, Equatable, Codable {
    /// A name the generator proposed and the check refused.
    public struct RejectedName: Sendable, Equatable, Codable {
        public var name: String
        public var problem: PrereqNames.Problem

        public init(name: String, problem: PrereqNames.Problem) {
            self.name = name
            self.problem = problem
        }
    }

    /// The seed's name, as the input gave it.
    public var seed: String
    /// Whether a usable name was found; the graph continues only when it was.
    public var named: Bool
    /// The fictitious name (empty when `named` is false).
    public var name: String
    /// What kind of entity it is ("jazz pianist", "rare metabolic disorder").
    public var type: String
    /// One sentence the versions share.
    public var summary: String
    /// Names refused before `name`, in order, with why.
    public var rejected: [RejectedName]
    public var calls: [LLMCallRecord]

    public init(seed: String, named: Bool, name: String, type: String, summary: String, rejected: [RejectedName], calls: [LLMCallRecord]) {
        self.seed = seed
        self.named = named
        self.name = name
        self.type = type
        self.summary = summary
        self.rejected = rejected
        self.calls = calls
    }

    /// Every name the entity was given, refused ones first: its claim on the build's names.
    public var claimedNames: [String] { rejected.map(\.name) + (named ? [name] : []) }
}
