/// One QA record as KnowTuning reads it (Alpaca-style `{instruction, input, output}`; the spec's field
/// mapping already applied at submit).
public struct KnowTuningRecord: Sendable, Equatable, Codable {
    /// The question.
    public var instruction: String
    /// Extra material for the question (often empty); appended to it in prompts and exports.
    public var input: String?
    /// The reference answer: what facts are extracted from, and `chosen` in preference pairs.
    public var output: String
    /// The record's own identifier, kept for provenance.
    public var id: String?

    public init(instruction: String, input: String? = nil, output: String, id: String? = nil) {
        self.instruction = instruction
        self.input = input
        self.output = output
        self.id = id
    }

    /// The question as a user would ask it: the instruction, then the input (when there is one) after a
    /// blank line — the prompt of SFT and DPO rows.
    public var question: String {
        let instruction = instruction.trimmingCharacters(in: .whitespacesAndNewlines)
        let extra = (input ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return extra.isEmpty ? instruction : instruction + "\n\n" + extra
    }

    /// The answer without surrounding whitespace.
    public var answer: String { output.trimmingCharacters(in: .whitespacesAndNewlines) }
}
