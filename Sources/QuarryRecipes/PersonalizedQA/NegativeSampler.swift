import QuarryLLM

/// Picks the negative of a triplet: an answer to another question of the same community, from the same
/// arm's answers that made it into the training files. Never one of the question's own answers.
///
/// Random negatives are a pure function of the build's seed, the arm and the question's position, so an
/// export is the same every time; hard negatives are the answer whose text best matches the anchor
/// (`FullTextRanker`, BM25), ties to the earlier question.
public struct NegativeSampler: Sendable {
    public enum Mode: Sendable, Equatable {
        case random(seed: Int)
        case hard
    }

    /// An answer that may serve as a negative.
    public struct Candidate: Sendable, Equatable {
        /// The position of the question it answers in the input (unique per question).
        public var position: Int
        public var text: String

        public init(position: Int, text: String) {
            self.position = position
            self.text = text
        }
    }

    public let mode: Mode
    public let arm: PersonalizedQAArm
    /// One community's candidates, in input order.
    public let candidates: [Candidate]
    private let ranker: FullTextRanker?

    public init(mode: Mode, arm: PersonalizedQAArm, candidates: [Candidate]) {
        self.mode = mode
        self.arm = arm
        self.candidates = candidates.sorted { $0.position < $1.position }
        self.ranker = mode == .hard ? FullTextRanker(self.candidates.map(\.text)) : nil
    }

    /// The negative for the question at `position` with `anchor`, or nil when the community has no other
    /// question's answer.
    public func negative(position: Int, anchor: String) -> Candidate? {
        let others = candidates.indices.filter { candidates[$0].position != position }
        guard !others.isEmpty else { return nil }
        switch mode {
        case .random(let seed):
            let draw = Self.draw(seed: seed, arm: arm, position: position)
            return candidates[others[Int(draw % UInt64(others.count))]]
        case .hard:
            guard let ranker, let index = ranker.best(for: anchor, where: { candidates[$0].position != position }) else { return nil }
            return candidates[index]
        }
    }

    /// A stable 64-bit draw for (seed, arm, position): the first 8 bytes of a SHA-256.
    static func draw(seed: Int, arm: PersonalizedQAArm, position: Int) -> UInt64 {
        let digest = SHA256.hash(Array("personalized_qa.negative|\(seed)|\(arm.key)|\(position)".utf8))
        return digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
