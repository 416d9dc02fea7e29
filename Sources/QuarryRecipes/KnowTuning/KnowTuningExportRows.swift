/// A line of `sft.jsonl`: one chat exchange, as TRL's `SFTTrainer` and most chat fine-tuning tools read it.
public struct KnowTuningSFTRow: Sendable, Equatable, Codable {
    public struct Message: Sendable, Equatable, Codable {
        public var role: String
        public var content: String

        public init(role: String, content: String) {
            self.role = role
            self.content = content
        }
    }

    public var messages: [Message]

    public init(user: String, assistant: String) {
        messages = [Message(role: "user", content: user), Message(role: "assistant", content: assistant)]
    }
}

/// A line of `dpo.jsonl`: exactly TRL's standard preference format (`prompt`, `chosen`, `rejected`)
/// plus the aspect the rejected answer was corrupted in.
public struct KnowTuningDPORow: Sendable, Equatable, Codable {
    public var prompt: String
    /// The original answer.
    public var chosen: String
    /// A verified negative.
    public var rejected: String
    public var aspect: KnowTuningAspect

    public init(prompt: String, chosen: String, rejected: String, aspect: KnowTuningAspect) {
        self.prompt = prompt
        self.chosen = chosen
        self.rejected = rejected
        self.aspect = aspect
    }
}

/// LLaMA-Factory's ranking (preference) form in the Alpaca layout: `output` is `[chosen, rejected]`.
public struct LlamaFactoryRankingRow: Sendable, Equatable, Codable {
    public var instruction: String
    public var input: String
    public var output: [String]

    public init(_ row: KnowTuningDPORow) {
        instruction = row.prompt
        input = ""
        output = [row.chosen, row.rejected]
    }

    /// The `dataset_info.json` that registers `file` as a ranking dataset called `name`, with the
    /// Alpaca columns spelled out.
    public static func datasetInfo(name: String, file: String) -> [String: DatasetEntry] {
        [name: DatasetEntry(fileName: file, ranking: true, columns: ["prompt": "instruction", "query": "input", "response": "output"])]
    }

    public struct DatasetEntry: Sendable, Equatable, Codable {
        public var fileName: String
        public var ranking: Bool
        public var columns: [String: String]

        enum CodingKeys: String, CodingKey {
            case ranking, columns
            case fileName = "file_name"
        }
    }
}
