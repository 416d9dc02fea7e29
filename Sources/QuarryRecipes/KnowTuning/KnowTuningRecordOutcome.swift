/// Everything one record's tasks produced, as an export reads it: the unit the report counts and the
/// data rows come from.
public struct KnowTuningRecordOutcome: Sendable {
    /// A task's end as far as the export can see.
    public enum Stage<Output: Sendable>: Sendable {
        case completed(Output)
        /// Dead or cancelled.
        case failed
        /// Not finished yet (or not created yet by the coordinator).
        case pending

        public var output: Output? {
            if case .completed(let output) = self { return output }
            return nil
        }
    }

    /// One aspect's corruption task and the verification that followed it.
    public struct Corruption: Sendable {
        public var negative: Stage<KnowTuningNegative>
        /// Nil when no verification task exists (yet).
        public var verification: Stage<KnowTuningVerification>?

        public init(negative: Stage<KnowTuningNegative>, verification: Stage<KnowTuningVerification>?) {
            self.negative = negative
            self.verification = verification
        }
    }

    /// What became of one aspect for this record.
    public enum AspectResult: Sendable, Equatable {
        case pair(KnowTuningDPORow)
        case excluded(KnowTuningExclusion)
    }

    public var record: KnowTuningRecord
    public var extraction: Stage<KnowTuningFacts>
    /// One per fact, in index order.
    public var scores: [Stage<KnowTuningScore>]
    /// Nil when no selection task exists (yet).
    public var selection: Stage<KnowTuningSelection>?
    /// One per hard fact, in index order.
    public var rewrites: [Stage<KnowTuningRewrite>]
    public var corruptions: [KnowTuningAspect: Corruption]

    public init(
        record: KnowTuningRecord, extraction: Stage<KnowTuningFacts>, scores: [Stage<KnowTuningScore>] = [],
        selection: Stage<KnowTuningSelection>? = nil, rewrites: [Stage<KnowTuningRewrite>] = [], corruptions: [KnowTuningAspect: Corruption] = [:]
    ) {
        self.record = record
        self.extraction = extraction
        self.scores = scores
        self.selection = selection
        self.rewrites = rewrites
        self.corruptions = corruptions
    }

    /// The original pair, then one per finished rewrite.
    public var sftRows: [KnowTuningSFTRow] {
        [KnowTuningSFTRow(user: record.question, assistant: record.answer)]
            + rewrites.compactMap(\.output).map { KnowTuningSFTRow(user: $0.question, assistant: $0.answer) }
    }

    /// One per aspect whose negative passed verification, in aspect order.
    public var dpoRows: [KnowTuningDPORow] {
        KnowTuningAspect.allCases.compactMap { aspect in
            if case .pair(let row) = result(for: aspect) { return row }
            return nil
        }
    }

    /// The pair this aspect gave, or why it gave none. Every record has exactly one result per aspect,
    /// which is what lets the report account for every record in every aspect.
    public func result(for aspect: KnowTuningAspect) -> AspectResult {
        let facts: KnowTuningFacts
        switch extraction {
        case .failed: return .excluded(.extractionFailed)
        case .pending: return .excluded(.pending)
        case .completed(let output): facts = output
        }
        guard facts.factCount >= aspect.minimumFacts else { return .excluded(.tooFewFacts) }
        guard let corruption = corruptions[aspect] else { return .excluded(.pending) }
        let negative: KnowTuningNegative
        switch corruption.negative {
        case .failed: return .excluded(.corruptionFailed)
        case .pending: return .excluded(.pending)
        case .completed(let output): negative = output
        }
        switch corruption.verification {
        case nil, .pending?: return .excluded(.pending)
        case .failed?: return .excluded(.verificationFailed)
        case .completed(let verification)?:
            guard verification.passed else { return .excluded(verification.reason ?? .unexplained) }
            return .pair(KnowTuningDPORow(prompt: record.question, chosen: record.answer, rejected: negative.answer, aspect: aspect))
        }
    }
}
