/// The verification of one entity's version group, deterministic and training-free (the paper's
/// Table-2 check in data form):
/// - every statement of a version is supported by that version's own source text (its biography; for
///   short QA the knowledge statement itself);
/// - a version differs from every other version on at least one fact: some statement of it is *not*
///   supported by the other version's source, and neither is its answer;
/// - the task answer (the biography, or the short answer) is supported by the version's own statements.
///
/// "Supported" is `LexicalSupport` throughout: at least `minimum` of the statement's content words occur
/// in the text, and every number it states does. A judge's verdict, when asked for, is combined by the
/// caller (`judgeUnsupported`).
public enum PrereqCheck {
    public enum Code: String, Sendable, Codable, Equatable {
        /// The version has no statement naming the entity.
        case noStatements = "no_statements"
        /// A statement its own source does not support.
        case unsupportedStatement = "unsupported_statement"
        /// Another version's source supports its answer or every statement of it (or, for a regenerated
        /// version, it supports every statement of an already verified version): no differing fact.
        case indistinct
        /// The task answer is not supported by the version's statements.
        case answerUnsupported = "answer_unsupported"
        /// The judge found the task answer unsupported by the version's statements.
        case judgeUnsupported = "judge_unsupported"
        /// The biography leaves out or changes a fact of its version's fact sheet.
        case factsMissing = "facts_missing"
        /// The knowledge statement does not name the entity, or does not contain the answer (short QA).
        case malformed
        /// Generating the version failed (its task died).
        case generationFailed = "generation_failed"
    }

    /// One reason a version failed.
    public struct Reason: Sendable, Equatable, Codable {
        public var code: Code
        public var detail: String
        /// The other version involved, for `indistinct`.
        public var other: Int?

        public init(_ code: Code, _ detail: String, other: Int? = nil) {
            self.code = code
            self.detail = detail
            self.other = other
        }
    }

    /// What the checks read of one version.
    public struct Evidence: Sendable, Equatable {
        public var version: Int
        /// The text the statements come from.
        public var source: String
        /// The knowledge statements.
        public var statements: [String]
        /// The task answer.
        public var answer: String

        public init(version: Int, source: String, statements: [String], answer: String) {
            self.version = version
            self.source = source
            self.statements = statements
            self.answer = answer
        }
    }

    /// Whether `text` supports `statement`: enough of its content words occur in `text`, and every
    /// number and every name (a capitalised word not opening a sentence) does. Names and numbers are
    /// where versions differ ("born in Lisbon" / "born in Tromsø"), and in a short statement one of
    /// them is too small a share of the words for the fraction alone to notice.
    public static func supports(_ text: String, _ statement: String, minimum: Double) -> Bool {
        let lexical = LexicalSupport(answer: statement, passage: text)
        guard lexical.support >= minimum, lexical.unsupportedNumbers.isEmpty else { return false }
        let known = Set(LexicalSupport.words(text))
        return names(in: statement).allSatisfy { known.contains($0) }
    }

    /// The lowercased words of `text`'s names: words that start with a capital letter and do not open
    /// a sentence.
    static func names(in text: String) -> [String] {
        var result: [String] = []
        var opensSentence = true
        for token in text.split(whereSeparator: \.isWhitespace) {
            let closes = token.last.map { ".!?:".contains($0) } ?? false
            if !opensSentence, let first = token.first(where: { $0.isLetter || $0.isNumber }), first.isUppercase {
                result += LexicalSupport.words(String(token))
            }
            opensSentence = closes
        }
        return result
    }

    /// Whether some statement of `statements` is not supported by `text`: they differ on a fact.
    public static func differs(_ statements: [String], from text: String, minimum: Double) -> Bool {
        statements.contains { !supports(text, $0, minimum: minimum) }
    }

    /// Why each version of `group` that is not `frozen` fails (an empty list when it passes).
    ///
    /// `frozen` versions passed at an earlier level and are not judged again; a new version must then
    /// differ from them both ways (its statements from their sources, and theirs from its source), so
    /// that replacing one version never makes an accepted one indistinct.
    public static func check(_ group: [Evidence], frozen: Set<Int> = [], minimum: Double) -> [Int: [Reason]] {
        var result: [Int: [Reason]] = [:]
        for evidence in group where !frozen.contains(evidence.version) {
            var reasons: [Reason] = []
            guard !evidence.statements.isEmpty else {
                result[evidence.version] = [Reason(.noStatements, "no statement names the entity")]
                continue
            }
            if let unsupported = evidence.statements.first(where: { !supports(evidence.source, $0, minimum: minimum) }) {
                reasons.append(Reason(.unsupportedStatement, unsupported))
            }
            for other in group where other.version != evidence.version {
                if supports(other.source, evidence.answer, minimum: 1) {
                    reasons.append(Reason(.indistinct, "version \(other.version) states the same answer", other: other.version))
                } else if !differs(evidence.statements, from: other.source, minimum: minimum) {
                    reasons.append(Reason(.indistinct, "every statement is supported by version \(other.version)", other: other.version))
                } else if frozen.contains(other.version), !other.statements.isEmpty, !differs(other.statements, from: evidence.source, minimum: minimum) {
                    reasons.append(Reason(.indistinct, "it supports every statement of version \(other.version)", other: other.version))
                }
            }
            if !supports(evidence.statements.joined(separator: "\n"), evidence.answer, minimum: minimum) {
                reasons.append(Reason(.answerUnsupported, "the answer is not supported by the version's statements"))
            }
            result[evidence.version] = reasons
        }
        return result
    }
}
