import QuarryJSON
import Foundation

/// The simulator's grounding verifier ("judge mode").
///
/// ## Convention callers follow
/// A chat completion request is a judge request when **either**
/// - any message contains the marker `QUARRY-JUDGE` (ASCII case ignored), or
/// - `response_format` is a `json_schema` whose top-level object has a boolean property named `supported`,
///   `grounded`, `is_supported`, `is_grounded` or `faithful`, or one named like a contradiction verdict
///   (`contradicts`, `contradiction`, `is_contradiction`, `contradictory`): a *contradiction judge*
///   asked whether a revised statement (the answer) contradicts an original one (the context).
///
/// The material to check is taken from the messages (all of them, joined):
/// - the context: every `<context>...</context>` block; without tags, the text after a line starting
///   `Context:` up to the next `Answer:`/`Claim:`/`Response:`/`Question:` line;
/// - the answer: every `<answer>...</answer>` (or `<claim>`, `<response>`) block; without tags, the text
///   after a line starting `Answer:`/`Claim:`/`Response:`.
///
/// A JSON answer is reduced to its answer-like string fields (all its strings when there are none).
///
/// A `<profile>...</profile>` block, when present, lists what the prompt says about the asker (tags,
/// interests), separated by commas or newlines. Its words count as known (an answer may say what the asker
/// told it), and a profile item the answer mentions while the context never does is reported as off-topic
/// profile use (`offTopicTags`): an answer to a cooking question that brings up the asker's `macos` tag.
///
/// The verdict is lexical: the answer is *supported* when every content word of it (stopwords excluded,
/// case, edge punctuation and a plural `s` ignored) occurs in the context. Clean simulator answers are made
/// only of context words and hallucinated ones contain invented words, so with `judgeErrorRate` 0 the judge
/// agrees with the simulator's ground truth exactly (the verdict is flipped, per request, with probability
/// `judgeErrorRate`). Judge requests are never hallucinated themselves.
///
/// A contradiction judge uses the same lexical verdict: the revised statement contradicts the original
/// when it states something the original does not (a content word the original lacks: a changed name,
/// number, place). A revision that only repeats or drops words of the original does not. Like a real
/// judge it can be wrong both ways: a reworded statement counts as contradicting, and with
/// `judgeErrorRate` the verdict is flipped.
///
/// ## Output
/// - `json_schema`: a valid instance where boolean `supported`-like fields carry the verdict (`unsupported`,
///   `hallucinated`-like booleans its negation), numbers named like `score`/`confidence` the fraction of
///   supported words, strings named like `reason`/`explanation` a short rationale, string arrays named like
///   `unsupported...`/`missing...` the unsupported words, and `verdict`/`label` enums the matching option.
/// - `json_object`: `{"supported": Bool, "score": Double, "unsupported_words": [String], "reason": String}`.
/// - text: `SUPPORTED: ...` or `UNSUPPORTED: ...`.
struct GroundingJudge: Sendable {
    struct Verdict: Sendable, Equatable {
        var supported: Bool
        /// Fraction of the answer's content words found in the context (1 when it has none).
        var score: Double
        var unsupportedWords: [String]
        var reason: String
        /// Profile items the answer mentions that the context does not (see the type's documentation).
        var offTopicTags: [String] = []
    }

    static let marker = "QUARRY-JUDGE"
    static let verdictFieldNames: Set<String> = ["supported", "grounded", "is_supported", "is_grounded", "faithful"]
    static let negatedFieldNames: Set<String> = [
        "unsupported", "hallucinated", "is_hallucinated", "contains_hallucination", "not_supported",
    ]
    /// Boolean verdicts of a contradiction judge: true when the answer is *not* supported by the context.
    static let contradictionFieldNames: Set<String> = [
        "contradicts", "contradiction", "contradicted", "is_contradiction", "contradictory", "is_contradictory",
    ]

    /// Whether this request asks for a verdict; see the type's documentation.
    static func isJudgeRequest(messageText: String, schema: JSONValue?) -> Bool {
        if GroundingSource.containsIgnoringASCIICase(marker, in: messageText) { return true }
        return hasBooleanField(in: schema, named: verdictFieldNames) || isContradictionRequest(schema: schema)
    }

    /// Whether the schema asks for a contradiction verdict (see the type's documentation).
    static func isContradictionRequest(schema: JSONValue?) -> Bool {
        hasBooleanField(in: schema, named: contradictionFieldNames)
    }

    private static func hasBooleanField(in schema: JSONValue?, named names: Set<String>) -> Bool {
        guard let properties = schema?["properties"]?.objectValue else { return false }
        return properties.contains { name, property in
            names.contains(name.lowercased()) && property["type"]?.stringValue == "boolean"
        }
    }

    /// `verdict` restated for a contradiction judge: the reason speaks of the revised statement.
    static func contradictionVerdict(_ verdict: Verdict) -> Verdict {
        var restated = verdict
        restated.reason =
            verdict.supported
            ? "The revised statement says nothing the original does not, so it does not contradict it."
            : verdict.unsupportedWords.isEmpty
                ? "The revised statement changes what the original says."
                : "The revised statement says what the original does not: \(verdict.unsupportedWords.prefix(12).joined(separator: ", "))."
        return restated
    }

    /// Pulls the context and the answer out of a judge prompt; nil for either part that is missing.
    static func extract(from text: String) -> (context: String?, answer: String?) {
        let context = GroundingSource.taggedText("context", in: text) ?? labelled(["context"], in: text)
        let answer =
            GroundingSource.taggedText("answer", in: text) ?? GroundingSource.taggedText("claim", in: text)
            ?? GroundingSource.taggedText("response", in: text) ?? labelled(["answer", "claim", "response"], in: text)
        return (context, answer)
    }

    private static let sectionLabels = ["context", "answer", "claim", "response", "question"]

    /// The text after the last line that starts with one of `labels` + ":", up to the next section label line.
    private static func labelled(_ labels: [String], in text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var collected: [Substring]?
        var capturing = false
        for line in lines {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            let lower = trimmed.lowercased()
            if let label = sectionLabels.first(where: { lower.hasPrefix($0 + ":") }) {
                capturing = labels.contains(label)
                if capturing {
                    collected = [trimmed.dropFirst(label.count + 1)]
                }
                continue
            }
            if capturing { collected?.append(line) }
        }
        return collected.map { $0.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// The items of a `<profile>` block: split at commas and newlines, trimmed, empty ones dropped.
    static func profileItems(_ profile: String) -> [String] {
        profile.split(whereSeparator: { $0 == "," || $0.isNewline }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The profile items whose every word occurs in `answer` but not every word in `context`.
    static func offTopic(profile: [String], context: String, answer: String) -> [String] {
        let answerKeys = Set(WordNormalizer.keys(in: answer))
        let contextKeys = Set(WordNormalizer.keys(in: context))
        return profile.filter { item in
            let keys = WordNormalizer.keys(in: item)
            return !keys.isEmpty && keys.allSatisfy(answerKeys.contains) && !keys.allSatisfy(contextKeys.contains)
        }
    }

    /// The lexical support verdict for `answer` against `context` (and the asker's `profile`, whose
    /// words also count as known).
    static func judge(context: String, answer: String, profile: [String] = []) -> Verdict {
        var known: Set<String> = []
        for key in WordNormalizer.keys(in: context) + profile.flatMap({ WordNormalizer.keys(in: $0) }) {
            known.insert(key)
            known.insert(WordNormalizer.stem(key))
        }
        let content = WordNormalizer.keys(in: answer).filter { !WordNormalizer.stopwords.contains($0) }
        guard !content.isEmpty else {
            return Verdict(supported: false, score: 0, unsupportedWords: [], reason: "The answer has no content words to verify.")
        }
        var unsupported: [String] = []
        var supportedCount = 0
        for key in content {
            if known.contains(key) || known.contains(WordNormalizer.stem(key)) {
                supportedCount += 1
            } else if !unsupported.contains(key) {
                unsupported.append(key)
            }
        }
        let score = (Double(supportedCount) / Double(content.count) * 1000).rounded() / 1000
        if unsupported.isEmpty {
            return Verdict(
                supported: true, score: score, unsupportedWords: [],
                reason: "Every content word of the answer appears in the context.")
        }
        return Verdict(
            supported: false, score: score, unsupportedWords: unsupported,
            reason: "Not found in the context: \(unsupported.prefix(12).joined(separator: ", ")).")
    }

    /// The prose to check. A JSON answer (structured output pasted as is) is reduced to its answer-like
    /// string fields, or to all its strings when it has none, so keys and punctuation are not judged.
    static func answerText(_ answer: String) -> String {
        let trimmed = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("{") || trimmed.hasPrefix("["),
            let json = try? JSONValue.parse(trimmed)
        else { return answer }
        var answerLike: [String] = []
        var all: [String] = []
        func collect(_ value: JSONValue, name: String?) {
            switch value {
            case .string(let text):
                all.append(text)
                if let name = name?.lowercased(), SchemaInstanceGenerator.answerHints.contains(where: { name.contains($0) }) {
                    answerLike.append(text)
                }
            case .array(let items):
                for item in items { collect(item, name: name) }
            case .object(let members):
                for (key, member) in members.sorted(by: { $0.key < $1.key }) { collect(member, name: key) }
            default:
                break
            }
        }
        collect(json, name: nil)
        return (answerLike.isEmpty ? all : answerLike).joined(separator: "\n")
    }

    /// The verdict, deliberately wrong when `flip` is set (simulating an imperfect judge).
    static func verdict(forPrompt text: String, flip: Bool) -> Verdict {
        let parts = extract(from: text)
        let profile = GroundingSource.taggedText("profile", in: text).map(profileItems) ?? []
        var verdict: Verdict
        if let context = parts.context, let answer = parts.answer {
            let answer = answerText(answer)
            verdict = judge(context: context, answer: answer, profile: profile)
            verdict.offTopicTags = offTopic(profile: profile, context: context, answer: answer)
        } else {
            verdict = Verdict(
                supported: false, score: 0, unsupportedWords: [],
                reason: "No <context> and <answer> found in the prompt; cannot verify.")
        }
        if flip {
            verdict.supported.toggle()
            verdict.reason = verdict.supported
                ? "Every content word of the answer appears in the context."
                : "The answer makes claims the context does not support."
        }
        return verdict
    }
}
