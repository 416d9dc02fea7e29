/// The three ways KnowTuning corrupts an answer into a rejected response (the paper's
/// knowledge-comparison aspects).
public enum KnowTuningAspect: String, Sendable, Codable, CaseIterable {
    /// Some facts dropped: the negative knows less.
    case completeness
    /// Facts revised to be plausible but false.
    case factuality
    /// The facts in a different order, joined as they are.
    case logicality

    /// The fewest facts a record needs for this corruption: dropping some while keeping some, and a
    /// different order, need two; revising needs one.
    public var minimumFacts: Int {
        switch self {
        case .completeness, .logicality: 2
        case .factuality: 1
        }
    }
}
