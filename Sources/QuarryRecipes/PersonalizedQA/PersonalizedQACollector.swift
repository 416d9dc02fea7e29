/// The pure part of the export: takes each question's outcomes in input order, and gives the lines of
/// `answers.jsonl`, each arm's training rows and the report.
///
/// It keeps each arm's kept answers (for negatives, which may come from any later question of the
/// community) and the anchors: memory grows with the build's answers, about their text's size.
public struct PersonalizedQACollector: Sendable {
    struct Kept: Sendable {
        var position: Int
        var community: String
        var anchor: String
        var answer: String
    }

    public let parameters: PersonalizedQAParameters
    public let seed: Int
    /// Generator name → endpoint name.
    public let endpoints: [String: String]
    public private(set) var report: PersonalizedQAReport
    private var kept: [PersonalizedQAArm: [Kept]] = [:]
    private var models: [PersonalizedQAArm: Set<String>] = [:]

    public init(build: String, parameters: PersonalizedQAParameters, seed: Int, endpoints: [String: String]) {
        self.parameters = parameters
        self.seed = seed
        self.endpoints = endpoints
        self.report = PersonalizedQAReport(build: build, parameters: parameters)
        for arm in parameters.arms {
            report.arms[arm.key] = PersonalizedQAReport.Arm(variant: arm.variant, generator: arm.generator, endpoint: endpoints[arm.generator] ?? arm.generator)
        }
    }

    /// Counts one question (its outcomes in any order) and returns its `answers.jsonl` lines, in arm order.
    public mutating func add(position: Int, line: Int, record: PersonalizedQARecord, outcomes: [PersonalizedQAOutcome]) -> [PersonalizedQAAnswerRow] {
        let question = PersonalizedQAQuestion(record)
        report.questions += 1
        var community = report.communities[question.community] ?? PersonalizedQAReport.Community()
        community.questions += 1
        var rows: [PersonalizedQAAnswerRow] = []
        for outcome in outcomes.sorted(by: { $0.arm < $1.arm }) {
            let arm = outcome.arm
            var counts = PersonalizedQAReport.Counts()
            counts.expected = 1
            var inTraining = false
            switch outcome.status {
            case .failed: counts.failed = 1
            case .pending: counts.pending = 1
            case .answered:
                counts.answered = 1
                counts.pending = 1
            case .judged:
                counts.answered = 1
                counts.judged = 1
            }
            if let answer = outcome.answer { models[arm, default: []].insert(answer.call.model) }
            var training = report.arms[arm.key]?.training ?? PersonalizedQAReport.Training()
            if let judgement = outcome.judgement, let answer = outcome.answer {
                if judgement.hallucinated { counts.hallucinated = 1 }
                if judgement.offTopicProfile { counts.offTopicProfile = 1 }
                if parameters.excludeHallucinated && judgement.hallucinated {
                    training.excludedHallucinated += 1
                } else if parameters.excludeOffTopic && judgement.offTopicProfile {
                    training.excludedOffTopic += 1
                } else {
                    inTraining = true
                    kept[arm, default: []].append(Kept(position: position, community: question.community, anchor: question.anchor, answer: answer.answer))
                }
            }
            report.arms[arm.key, default: .init(variant: arm.variant, generator: arm.generator, endpoint: endpoints[arm.generator] ?? arm.generator)]
                .counts.add(counts)
            report.arms[arm.key]?.training = training
            report.variants[arm.variant.rawValue, default: .init()].add(counts)
            report.generators[arm.generator, default: .init()].add(counts)
            report.overall.add(counts)
            community.counts.add(counts)
            community.arms[arm.key, default: .init()].add(counts)
            rows.append(
                PersonalizedQAAnswerRow(
                    questionID: question.id, recordLine: line, community: question.community, variant: arm.variant, generator: arm.generator,
                    endpoint: outcome.answer?.call.endpoint ?? endpoints[arm.generator] ?? arm.generator, model: outcome.answer?.call.model,
                    status: outcome.status, answer: outcome.answer?.answer, hallucinated: outcome.judgement?.hallucinated,
                    claims: outcome.judgement?.claims ?? [], confidence: outcome.judgement?.confidence,
                    offTopicProfile: outcome.judgement?.offTopicProfile, offTopicTags: outcome.judgement?.offTopicTags ?? [],
                    reason: outcome.judgement?.reason, judgeModel: outcome.judgement?.call.model, inTraining: inTraining,
                    promptVersions: outcome.promptVersions))
        }
        report.communities[question.community] = community
        return rows
    }

    /// Every arm of the build, in file order.
    public var arms: [PersonalizedQAArm] {
        Set(parameters.arms).union(kept.keys).sorted()
    }

    /// An arm's `pairs.jsonl` and `triplets.jsonl` rows in input order, and its training counts.
    public func training(for arm: PersonalizedQAArm) -> (pairs: [PersonalizedQATrainingRow], triplets: [PersonalizedQATrainingRow], counts: PersonalizedQAReport.Training) {
        let answers = kept[arm] ?? []
        var counts = report.arms[arm.key]?.training ?? PersonalizedQAReport.Training()
        let mode: NegativeSampler.Mode = parameters.hardNegatives ? .hard : .random(seed: seed)
        var samplers: [String: NegativeSampler] = [:]
        for (community, members) in Dictionary(grouping: answers, by: \.community) {
            samplers[community] = NegativeSampler(
                mode: mode, arm: arm, candidates: members.map { NegativeSampler.Candidate(position: $0.position, text: $0.answer) })
        }
        var pairs: [PersonalizedQATrainingRow] = []
        var triplets: [PersonalizedQATrainingRow] = []
        for entry in answers {
            pairs.append(PersonalizedQATrainingRow(anchor: entry.anchor, positive: entry.answer))
            if let negative = samplers[entry.community]?.negative(position: entry.position, anchor: entry.anchor) {
                triplets.append(PersonalizedQATrainingRow(anchor: entry.anchor, positive: entry.answer, negative: negative.text))
            } else {
                counts.withoutNegative += 1
            }
        }
        counts.pairs = pairs.count
        counts.triplets = triplets.count
        return (pairs, triplets, counts)
    }

    /// The report with the arms' training counts (from `training(for:)`) and models filled in.
    public func finalReport(training: [PersonalizedQAArm: PersonalizedQAReport.Training]) -> PersonalizedQAReport {
        var final = report
        for arm in arms {
            if let counts = training[arm] { final.arms[arm.key]?.training = counts }
            final.arms[arm.key]?.models = (models[arm] ?? []).sorted()
        }
        return final
    }
}
