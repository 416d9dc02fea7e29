/// What a version's content (top-down `PrereqVersion`, bottom-up `PrereqTriple`) gives verification.
public protocol PrereqVersionContent: Sendable, Equatable, Codable {
    var version: Int { get }
    /// 0 for the first writing, n for the n-th regeneration.
    var attempt: Int { get }
    /// Extracted statements dropped for not naming the entity.
    var unnamedCount: Int { get }
    /// The texts the group checks compare.
    var evidence: PrereqCheck.Evidence { get }
    /// Faults of the content on its own (before any comparison), `minimum` as in `PrereqCheck.supports`.
    func problems(minimum: Double) -> [PrereqCheck.Reason]
    /// The knowledge statements exported for it.
    var knowledge: [String] { get }
    /// What other versions' regenerations should not repeat (short QA answers), if anything.
    var avoidHint: String? { get }
    /// The endpoint calls that wrote it.
    var calls: [LLMCallRecord] { get }
    /// The task's question (the user turn of its task row).
    func question(entity name: String, domain: PrereqTuneParameters.Domain) -> String
}

extension PrereqVersion: PrereqVersionContent {
    public var evidence: PrereqCheck.Evidence {
        PrereqCheck.Evidence(version: version, source: biography, statements: statements, answer: biography)
    }

    /// An empty biography, or one that leaves out or changes a fact of its sheet: the version would not
    /// carry the facts that make it differ from the others.
    public func problems(minimum: Double) -> [PrereqCheck.Reason] {
        guard !biography.isEmpty else { return [PrereqCheck.Reason(.malformed, "the biography is empty")] }
        return facts.filter { !PrereqCheck.supports(biography, $0, minimum: minimum) }.prefix(1).map {
            PrereqCheck.Reason(.factsMissing, "the biography does not state: \($0)")
        }
    }

    public var knowledge: [String] { statements }
    public var unnamedCount: Int { unnamed.count }
    public var avoidHint: String? { nil }
    public func question(entity name: String, domain: PrereqTuneParameters.Domain) -> String { PrereqRows.taskPrompt(name: name, domain: domain) }
}

extension PrereqTriple: PrereqVersionContent {
    public var evidence: PrereqCheck.Evidence {
        PrereqCheck.Evidence(version: version, source: statement, statements: [statement], answer: object)
    }

    public func problems(minimum: Double) -> [PrereqCheck.Reason] {
        var reasons: [PrereqCheck.Reason] = []
        if object.isEmpty { reasons.append(PrereqCheck.Reason(.malformed, "the object (answer) is empty")) }
        if !PrereqNames.names(statement, entity: subject) {
            reasons.append(PrereqCheck.Reason(.malformed, "the knowledge statement does not name \(subject)"))
        }
        return reasons
    }

    public var knowledge: [String] { [statement] }
    public var unnamedCount: Int { 0 }
    public var avoidHint: String? { object }
    public func question(entity name: String, domain: PrereqTuneParameters.Domain) -> String { question }
}

extension PrereqVerification where Content: PrereqVersionContent {
    /// The group's verification at `level`.
    ///
    /// - `previous`: the level before (nil at level 0); its passed versions are frozen.
    /// - `fresh`: the versions written for this level (all K at level 0, the regenerated ones after),
    ///   nil where writing failed.
    /// - `judged`: the judge's verdict per fresh version, where it was asked.
    public static func assemble(
        level: Int, versions: Int, previous: PrereqVerification?, fresh: [Int: Content?], judged: [Int: Bool] = [:], minimum: Double,
        calls: [LLMCallRecord] = []
    ) -> PrereqVerification {
        var contents: [Int: Content] = [:]
        var frozen: Set<Int> = []
        for entry in previous?.entries ?? [] {
            if let content = entry.content { contents[entry.version] = content }
            if entry.passed { frozen.insert(entry.version) }
        }
        var failedGeneration: Set<Int> = []
        for (version, content) in fresh {
            frozen.remove(version)
            if let content { contents[version] = content } else {
                contents[version] = nil
                failedGeneration.insert(version)
            }
        }
        let group = contents.keys.sorted().compactMap { contents[$0]?.evidence }
        let checked = PrereqCheck.check(group, frozen: frozen, minimum: minimum)
        var entries: [Entry] = []
        var failed: [PrereqRegeneration] = []
        var passedNow: [Int] = []
        for version in 1...max(versions, 1) {
            if frozen.contains(version), let previousEntry = previous?.entry(version) {
                entries.append(previousEntry)
                continue
            }
            var reasons: [PrereqCheck.Reason]
            if failedGeneration.contains(version) || contents[version] == nil {
                reasons = [PrereqCheck.Reason(.generationFailed, "writing the version failed")]
            } else {
                reasons = (contents[version]?.problems(minimum: minimum) ?? []) + (checked[version] ?? [])
                if judged[version] == false {
                    reasons.append(PrereqCheck.Reason(.judgeUnsupported, "the judge found the answer unsupported by the version's statements"))
                }
            }
            let passed = reasons.isEmpty
            entries.append(Entry(version: version, passed: passed, reasons: reasons, content: contents[version]))
            if passed {
                passedNow.append(version)
            } else {
                let avoid = contents.filter { $0.key != version }.sorted { $0.key < $1.key }.compactMap(\.value.avoidHint)
                failed.append(PrereqRegeneration(version: version, attempt: level + 1, reasons: reasons, avoid: avoid))
            }
        }
        return PrereqVerification(
            level: level, entries: entries, failed: failed, passedNow: passedNow, passages: [], complete: failed.isEmpty, calls: calls)
    }

    /// The fresh versions that pass every deterministic check (the ones worth a judge call).
    public var judgeable: [Content] {
        entries.filter { $0.passed && passedNow.contains($0.version) }.compactMap(\.content)
    }
}
