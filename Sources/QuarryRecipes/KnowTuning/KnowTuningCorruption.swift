import QuarryLLM

/// The code-only parts of the corruptions: which facts the completeness negative keeps and in which
/// order the logicality negative puts them. Both are functions of the build's seed and the record's
/// position only, so a rerun (or a retried task) corrupts the same way.
public enum KnowTuningCorruption {
    /// The 0-based positions of the facts the completeness negative keeps, in order: `round(β·n)`
    /// facts dropped, but at least one dropped and at least one kept. Nil below two facts.
    public static func kept(count: Int, beta: Double, seed: Int, record: Int) -> [Int]? {
        guard count >= 2 else { return nil }
        let dropping = min(max(Int((beta * Double(count)).rounded()), 1), count - 1)
        let dropped = Set(shuffled(count: count, purpose: "drop", seed: seed, record: record).prefix(dropping))
        return (0..<count).filter { !dropped.contains($0) }
    }

    /// The logicality order: the original position of the fact at each position, never the original
    /// order. Nil below two facts (one fact has no other order).
    public static func order(count: Int, seed: Int, record: Int) -> [Int]? {
        guard count >= 2 else { return nil }
        let order = shuffled(count: count, purpose: "order", seed: seed, record: record)
        // A shuffle may give the identity back; rotating it by one is then a different order.
        return order == Array(0..<count) ? Array(order.dropFirst()) + [order[0]] : order
    }

    /// The facts joined as they are, one after the other: the logicality negative is not polished, so
    /// only the order differs from the facts.
    public static func joined(_ facts: [String]) -> String {
        facts.map { fact in
            let trimmed = fact.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let last = trimmed.last, !".!?".contains(last) else { return trimmed }
            return trimmed + "."
        }.joined(separator: " ")
    }

    /// `0..<count` ordered by a hash of (purpose, seed, record, position): a permutation that looks
    /// random and is the same in every process.
    static func shuffled(count: Int, purpose: String, seed: Int, record: Int) -> [Int] {
        let keys = (0..<count).map { index in
            SHA256.hash(Array("knowtuning/\(purpose)/\(seed)/\(record)/\(index)".utf8)).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
        return (0..<count).sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
    }
}
