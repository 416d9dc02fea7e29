extension KnowTuningReport {
    /// Builds a report over `outcomes`; perplexities are kept only until the distributions are made.
    public struct Tally: Sendable {
        public private(set) var report: KnowTuningReport
        private var perplexities: [Double] = []
        private var hardPerplexities: [Double] = []

        public init(build: String) {
            report = KnowTuningReport(build: build)
            for kind in KnowTuningRecipe.KindName.all { report.stages[kind] = StageCounts() }
            for aspect in KnowTuningAspect.allCases { report.aspects[aspect.rawValue] = Aspect() }
        }

        /// Counts one record's outcome and the rows it gives.
        public mutating func add(_ outcome: KnowTuningRecordOutcome) {
            typealias Kind = KnowTuningRecipe.KindName
            report.records.loaded += 1
            report.stages[Kind.extract, default: StageCounts()].add(outcome.extraction)
            switch outcome.extraction {
            case .failed: report.records.extractionFailed += 1
            case .pending: report.records.pending += 1
            case .completed(let facts):
                if facts.factCount == 0 { report.records.withoutFacts += 1 } else { report.records.withFacts += 1 }
                report.facts.extracted += facts.factCount
                report.facts.discarded += facts.discarded
            }
            for score in outcome.scores {
                report.stages[Kind.score, default: StageCounts()].add(score)
                switch score {
                case .completed(let output):
                    report.facts.scored += 1
                    perplexities.append(output.perplexity)
                case .failed: report.facts.scoreFailed += 1
                case .pending: break
                }
            }
            if let selection = outcome.selection {
                report.stages[Kind.select, default: StageCounts()].add(selection)
                if let output = selection.output {
                    report.facts.hard += output.hard.count
                    hardPerplexities.append(contentsOf: output.hard.map(\.perplexity))
                }
            }
            for rewrite in outcome.rewrites {
                report.stages[Kind.rewrite, default: StageCounts()].add(rewrite)
                switch rewrite {
                case .completed: report.facts.rewritten += 1
                case .failed: report.facts.rewriteFailed += 1
                case .pending: break
                }
            }
            for aspect in KnowTuningAspect.allCases {
                count(aspect, outcome)
            }
            let sft = outcome.sftRows.count
            report.exports.sft += sft
            report.exports.sftOriginal += 1
            report.exports.sftRewritten += sft - 1
            report.exports.dpo += outcome.dpoRows.count
        }

        private mutating func count(_ aspect: KnowTuningAspect, _ outcome: KnowTuningRecordOutcome) {
            var counts = report.aspects[aspect.rawValue] ?? Aspect()
            defer { report.aspects[aspect.rawValue] = counts }
            if let facts = outcome.extraction.output, facts.factCount >= aspect.minimumFacts { counts.eligible += 1 }
            if let corruption = outcome.corruptions[aspect] {
                report.stages[KnowTuningRecipe.KindName.corrupt(aspect), default: StageCounts()].add(corruption.negative)
                if corruption.negative.output != nil { counts.corrupted += 1 }
                if let verification = corruption.verification {
                    report.stages[KnowTuningRecipe.KindName.verify, default: StageCounts()].add(verification)
                    if verification.output != nil { counts.verified += 1 }
                }
            }
            switch outcome.result(for: aspect) {
            case .pair: counts.pairs += 1
            case .excluded(let reason):
                counts.excluded[reason.rawValue, default: 0] += 1
                report.exclusions[reason.rawValue, default: 0] += 1
            }
        }

        /// The report with its distributions; `rejected` records never reached a task.
        public func finished(rejected: Int = 0) -> KnowTuningReport {
            var final = report
            final.records.rejected = rejected
            final.perplexity = Distribution(perplexities)
            final.hardPerplexity = Distribution(hardPerplexities)
            return final
        }
    }
}
