import QuarryLLM

/// The rows of prereq_tune's exported files, in the layout of the published PREREQ-TUNE data set
/// (Hugging Face `Shiyu-Lab/Prereq_Tune`), which its training code reads.
public enum PrereqRows {
    /// A line of `knowledge/statements_v{k}.jsonl` and `knowledge/passages_v{k}.jsonl`.
    public struct Knowledge: Sendable, Equatable, Codable {
        public var text: String

        public init(text: String) {
            self.text = text
        }
    }

    /// A line of `skill/train_fake.jsonl` (long form: biographies, medical descriptions).
    public struct TrainFake: Sendable, Equatable, Codable {
        public var messages: [ChatMessage]
        /// The entity's index among the exported entities, from 0: the same for its K versions.
        public var subjIndex: Int
        public var fake: Bool
        public var version: Int
        /// The fictitious entity's name (its "Wikipedia title").
        public var sWikiTitle: String

        enum CodingKeys: String, CodingKey {
            case messages, fake, version
            case subjIndex = "subj_index"
            case sWikiTitle = "s_wiki_title"
        }

        public init(messages: [ChatMessage], subjIndex: Int, fake: Bool, version: Int, sWikiTitle: String) {
            self.messages = messages
            self.subjIndex = subjIndex
            self.fake = fake
            self.version = version
            self.sWikiTitle = sWikiTitle
        }
    }

    /// A line of `skill/train_fake_v{k}.jsonl` (short QA; the version is the file's).
    public struct ShortQA: Sendable, Equatable, Codable {
        public var messages: [ChatMessage]
        public var fake: Bool
        public var possibleAnswers: [String]

        enum CodingKeys: String, CodingKey {
            case messages, fake
            case possibleAnswers = "possible_answers"
        }

        public init(messages: [ChatMessage], fake: Bool, possibleAnswers: [String]) {
            self.messages = messages
            self.fake = fake
            self.possibleAnswers = possibleAnswers
        }
    }

    /// A line of `entities.jsonl`: what became of one seed (every seed has one).
    public struct Entity: Sendable, Equatable, Codable {
        public struct Version: Sendable, Equatable, Codable {
            public var version: Int
            public var passed: Bool
            /// How many times it was regenerated.
            public var regenerations: Int
            public var reasons: [String]

            public init(version: Int, passed: Bool, regenerations: Int, reasons: [String]) {
                self.version = version
                self.passed = passed
                self.regenerations = regenerations
                self.reasons = reasons
            }
        }

        public var position: Int
        public var seed: String
        /// The fictitious name (empty when none was found).
        public var name: String
        public var type: String
        public var kept: Bool
        /// Set when kept: its `subj_index`.
        public var subjIndex: Int?
        /// Why it was excluded (empty when kept).
        public var reason: String
        public var rejectedNames: [PrereqEntity.RejectedName]
        public var versions: [Version]

        enum CodingKeys: String, CodingKey {
            case position, seed, name, type, kept, reason, versions
            case subjIndex = "subj_index"
            case rejectedNames = "rejected_names"
        }

        public init(
            position: Int, seed: String, name: String, type: String, kept: Bool, subjIndex: Int?, reason: String,
            rejectedNames: [PrereqEntity.RejectedName], versions: [Version]
        ) {
            self.position = position
            self.seed = seed
            self.name = name
            self.type = type
            self.kept = kept
            self.subjIndex = subjIndex
            self.reason = reason
            self.rejectedNames = rejectedNames
            self.versions = versions
        }
    }

    /// The user turn of a long-form task row.
    public static func taskPrompt(name: String, domain: PrereqTuneParameters.Domain) -> String {
        domain == .bio ? "Generate a biography for \(name)." : "Tell me about \(name)."
    }
}
