/// One line of rag4rag's `qa.jsonl`: the rag4rag method's `{"context", "question", "answer", "arm", "verdict",
/// "spans"}` plus what a consumer needs to filter and trace it. Everything here depends only on the
/// build's inputs, spec and seed (task *keys*, not ids), so equal builds export equal bytes; the run's
/// numeric ids are in `provenance.jsonl`, line for line.
public struct Rag4RagQARow: Sendable, Equatable, Codable {
    public struct Provenance: Sendable, Equatable, Codable {
        /// The build's name.
        public var build: String
        /// Stage → task key (unique within the build).
        public var tasks: [String: String]
        /// Role → endpoint name.
        public var endpoints: [String: String]
        /// Role → model that answered.
        public var models: [String: String]
        /// Stage → prompt version.
        public var promptVersions: [String: String]

        enum CodingKeys: String, CodingKey {
            case build, tasks, endpoints, models
            case promptVersions = "prompt_versions"
        }
    }

    /// The gold passage the verdict is about.
    public var context: String
    public var question: String
    public var answer: String
    /// `zero_shot`, `grounded` or `rag` (a regeneration; `repairedArm` says of which).
    public var arm: Rag4RagArm
    public var verdict: Verdict
    public var spans: [String]
    public var confidence: Double?
    public var repairedArm: Rag4RagArm?
    public var retrievedLines: [Int]?
    public var goldRetrieved: Bool?
    public var exactSpan: Bool?
    public var goldQuestion: String?
    public var recordLine: Int
    public var recordID: String?
    public var provenance: Provenance

    /// Verification's verdict, or where the row's verification is.
    public enum Verdict: String, Sendable, Codable {
        case supported, unsupported
        /// Not verified yet (an export of a running build).
        case pending
        /// Verification died.
        case failed

        init(_ verdict: Rag4RagVerdict) {
            switch verdict {
            case .supported: self = .supported
            case .unsupported: self = .unsupported
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case context, question, answer, arm, verdict, spans, confidence, provenance
        case repairedArm = "repaired_arm"
        case retrievedLines = "retrieved_lines"
        case goldRetrieved = "gold_retrieved"
        case exactSpan = "exact_span"
        case goldQuestion = "gold_question"
        case recordLine = "record_line"
        case recordID = "record_id"
    }
}
