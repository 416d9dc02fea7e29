import QuarryLLM
/// Turns entity groups, in export order, into rows and the report: the pure half of prereq_tune's
/// exporter (the other half streams tasks in and writes files).
///
/// An entity is exported only when its name survived the build-wide settlement (`PrereqNameRegistry`)
/// and all K of its versions passed verification; otherwise its `entities.jsonl` row says why.
public struct PrereqExportAssembler: Sendable {
    /// The rows one entity contributes.
    public struct Rows: Sendable, Equatable {
        public var entity: PrereqRows.Entity
        /// Long-form task rows, one per version (top-down).
        public var trainFake: [PrereqRows.TrainFake] = []
        /// Short QA task rows by version (bottom-up).
        public var shortQA: [Int: PrereqRows.ShortQA] = [:]
        /// Knowledge statements by version.
        public var statements: [Int: [String]] = [:]
        /// Passage by version.
        public var passages: [Int: String] = [:]
    }

    public let parameters: PrereqTuneParameters
    public let names: [Int: PrereqNameRegistry.Settlement]
    public private(set) var report: PrereqReport
    private var nextSubject = 0

    /// `names`: the build's settlement of generated names, by seed position.
    public init(build: String, parameters: PrereqTuneParameters, names: [Int: PrereqNameRegistry.Settlement]) {
        self.parameters = parameters
        self.names = names
        self.report = PrereqReport(build: build, parameters: parameters)
    }

    public mutating func add<Content: PrereqVersionContent>(_ group: PrereqEntityGroup<Content>) -> Rows {
        report.seeds += 1
        let entity = group.entity
        for rejected in entity?.rejected ?? [] { report.rejectedNames[rejected.problem.rawValue, default: 0] += 1 }
        var row = PrereqRows.Entity(
            position: group.position, seed: group.seed, name: entity?.name ?? "", type: entity?.type ?? "", kept: false, subjIndex: nil,
            reason: "", rejectedNames: entity?.rejected ?? [], versions: [])
        func excluded(_ reason: String) -> Rows {
            row.reason = reason
            report.exclusions[reason, default: 0] += 1
            return Rows(entity: row)
        }
        guard let entity else { return excluded("entity_failed") }
        guard entity.named else { return excluded("name_\(entity.rejected.last?.problem.rawValue ?? PrereqNames.Problem.empty.rawValue)") }
        if case .excluded(let problem)? = names[group.position] {
            report.rejectedNames[problem.rawValue, default: 0] += 1
            row.rejectedNames.append(PrereqEntity.RejectedName(name: entity.name, problem: problem))
            return excluded("name_\(problem.rawValue)")
        }
        guard let verification = group.verification else { return excluded("not_verified") }
        var unnamed = 0
        for entry in verification.entries {
            let regenerations = entry.content?.attempt ?? 0
            report.verification.versions += 1
            report.verification.regenerations += regenerations
            if entry.passed {
                if regenerations == 0 { report.verification.firstPass += 1 } else { report.verification.passedAfterRegeneration += 1 }
            } else {
                report.verification.failed += 1
                for code in Set(entry.reasons.map(\.code.rawValue)) { report.versionExclusions[code, default: 0] += 1 }
            }
            unnamed += entry.content?.unnamedCount ?? 0
            row.versions.append(
                PrereqRows.Entity.Version(
                    version: entry.version, passed: entry.passed, regenerations: regenerations, reasons: entry.reasons.map(\.code.rawValue)))
        }
        guard verification.complete, verification.entries.count == parameters.versions else { return excluded("versions_failed") }
        report.unnamedStatements += unnamed
        let subject = nextSubject
        nextSubject += 1
        report.entities += 1
        row.kept = true
        row.subjIndex = subject
        var rows = Rows(entity: row)
        for entry in verification.entries {
            guard let content = entry.content else { continue }
            rows.statements[entry.version] = content.knowledge
            report.statementsPerVersion[String(entry.version), default: 0] += content.knowledge.count
            if let passage = group.passages[entry.version] {
                rows.passages[entry.version] = passage.text
            } else if content is PrereqVersion {
                report.missingPassages += 1
            }
            switch content {
            case let version as PrereqVersion:
                rows.trainFake.append(
                    PrereqRows.TrainFake(
                        messages: [
                            ChatMessage(role: "user", content: PrereqRows.taskPrompt(name: entity.name, domain: parameters.domain)),
                            ChatMessage(role: "assistant", content: version.biography),
                        ], subjIndex: subject, fake: true, version: entry.version, sWikiTitle: entity.name))
            case let triple as PrereqTriple:
                rows.shortQA[entry.version] = PrereqRows.ShortQA(
                    messages: [ChatMessage(role: "user", content: triple.question), ChatMessage(role: "assistant", content: triple.object)],
                    fake: true, possibleAnswers: triple.possibleAnswers)
            default:
                break
            }
        }
        return rows
    }
}
