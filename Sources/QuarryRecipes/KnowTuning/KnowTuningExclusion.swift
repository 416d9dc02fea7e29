/// Why a negative (or a record's chance at one) did not become a preference pair; the report counts
/// them per aspect.
public enum KnowTuningExclusion: String, Sendable, Codable, CaseIterable {
    /// Completeness: the negative's facts are not a strict subset of the original facts.
    case notStrictSubset = "not_strict_subset"
    /// Logicality: the negative's facts are not the original facts reordered.
    case notPermutation = "not_permutation"
    /// Logicality: the facts are in the original order.
    case sameOrder = "same_order"
    /// Factuality: the model returned a different number of revised statements than facts.
    case revisionCountMismatch = "revision_count_mismatch"
    /// Factuality: the judge found a revised statement that does not contradict its original.
    case notContradicting = "not_contradicting"
    /// The negative has no answer text.
    case emptyAnswer = "empty_answer"
    /// The negative's answer is the original answer.
    case sameAsChosen = "same_as_chosen"
    /// The record has fewer facts than the aspect needs (see `KnowTuningAspect.minimumFacts`).
    case tooFewFacts = "too_few_facts"
    /// The record's extraction died, so nothing followed it.
    case extractionFailed = "extraction_failed"
    /// The corruption task died.
    case corruptionFailed = "corruption_failed"
    /// The verification task died.
    case verificationFailed = "verification_failed"
    /// A verification that failed without saying why (an output written by another version).
    case unexplained
    /// The export ran before the chain finished.
    case pending
}
