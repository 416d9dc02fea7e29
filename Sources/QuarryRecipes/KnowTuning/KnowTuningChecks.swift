/// The code checks of `knowtuning.verify`: the completeness and logicality invariants, and the parts
/// of factuality that need no judge. Facts are compared in `KnowTuningFacts.comparisonKey` form.
public enum KnowTuningChecks {
    /// Passes when `negative` holds some, not all, of `original`'s facts, each at most as often as
    /// there.
    public static func completeness(negative: [String], original: [String]) -> KnowTuningVerification {
        let counts = multiset(original)
        let negativeCounts = multiset(negative)
        if let extra = negative.first(where: { negativeCounts[KnowTuningFacts.comparisonKey($0), default: 0] > counts[KnowTuningFacts.comparisonKey($0), default: 0] }) {
            return .fail(.completeness, .notStrictSubset, "the negative states a fact the original does not: \"\(extra)\"")
        }
        guard !negative.isEmpty else {
            return .fail(.completeness, .notStrictSubset, "the negative keeps none of the \(original.count) facts")
        }
        guard negative.count < original.count else {
            return .fail(.completeness, .notStrictSubset, "the negative keeps all \(original.count) facts")
        }
        return .pass(.completeness)
    }

    /// Passes when `negative` holds exactly `original`'s facts in another order.
    public static func logicality(negative: [String], original: [String]) -> KnowTuningVerification {
        guard multiset(negative) == multiset(original) else {
            return .fail(
                .logicality, .notPermutation,
                "the negative's \(negative.count) facts are not the original \(original.count) facts reordered")
        }
        guard negative.map(KnowTuningFacts.comparisonKey) != original.map(KnowTuningFacts.comparisonKey) else {
            return .fail(.logicality, .sameOrder, "the negative keeps the facts in their original order")
        }
        return .pass(.logicality)
    }

    /// The factuality verdict from the judge's answers: passes only when there is one revised
    /// statement per original and every one contradicts its original.
    public static func factuality(
        revisions: [KnowTuningNegative.Revision], original: [String], judgements: [KnowTuningVerification.Judgement]
    ) -> KnowTuningVerification {
        guard revisions.count == original.count, judgements.count == revisions.count else {
            return .fail(
                .factuality, .revisionCountMismatch,
                "\(revisions.count) revised statement(s) for \(original.count) fact(s)", judgements: judgements)
        }
        let agreeing = judgements.enumerated().filter { !$0.element.contradicts }.map { $0.offset + 1 }
        guard agreeing.isEmpty else {
            return .fail(
                .factuality, .notContradicting,
                "revised statement(s) \(agreeing.map(String.init).joined(separator: ", ")) of \(judgements.count) do not contradict their originals",
                judgements: judgements)
        }
        return .pass(.factuality, judgements: judgements)
    }

    /// Checks every aspect shares: a rejected answer that is empty, or the chosen answer itself, is no
    /// preference pair. Nil when the answer is usable.
    public static func answer(_ negative: KnowTuningNegative, chosen: String) -> KnowTuningVerification? {
        let answer = KnowTuningFacts.collapsed(negative.answer)
        if answer.isEmpty { return .fail(negative.aspect, .emptyAnswer, "the negative has no answer text") }
        if answer == KnowTuningFacts.collapsed(chosen) {
            return .fail(negative.aspect, .sameAsChosen, "the negative's answer is the original answer")
        }
        return nil
    }

    static func multiset(_ facts: [String]) -> [String: Int] {
        facts.reduce(into: [:]) { $0[KnowTuningFacts.comparisonKey($1), default: 0] += 1 }
    }
}
