/// Task payloads of rag4rag's kinds, as the coordinator builds them (see `BuildGraph`): a seed holds the
/// record; each child holds its parent's payload and output, so a task carries its whole chain.
public enum Rag4RagPayload {
    /// `rag4rag.generate`.
    public struct Seed: Sendable, Decodable {
        public var record: Rag4RagRecord
        public var line: Int
        /// The record's position in the input (absent in payloads seeded before positions existed).
        public var position: Int?
        public var variant: String

        /// What identifies the record in its build: its position, else its line.
        public var recordPosition: Int { position ?? line }
    }

    /// `rag4rag.verify`.
    public struct Verify: Sendable, Decodable {
        public var parent: Seed
        public var output: Rag4RagGenerated
    }

    /// `rag4rag.regenerate`.
    public struct Regenerate: Sendable, Decodable {
        public var parent: Verify
        public var output: Rag4RagVerification
    }

    /// `rag4rag.reverify`.
    public struct Reverify: Sendable, Decodable {
        public var parent: Regenerate
        public var output: Rag4RagRegeneration
    }
}
