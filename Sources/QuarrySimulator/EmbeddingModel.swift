import Foundation

/// Bag-of-words embeddings: each normalised word maps (by hash) to a fixed pseudo-random direction, a text's
/// vector is the sum of its words' directions, scaled to unit length. Texts that share words point the same
/// way, so cosine similarity behaves sensibly for dedup and retrieval tests, and the output is deterministic.
enum EmbeddingModel {
    /// Nil when the text has no words (there is no direction to return).
    static func embed(_ text: String, dimensions: Int) -> [Float]? {
        let keys = WordNormalizer.keys(in: text)
        guard !keys.isEmpty else { return nil }
        var sum = [Double](repeating: 0, count: dimensions)
        for key in keys {
            var rng = SplitMix64(seed: FNV1a.hash(key))
            for index in 0..<dimensions {
                sum[index] += rng.nextUnit() * 2 - 1
            }
        }
        let norm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { return nil }
        return sum.map { Float($0 / norm) }
    }

    /// The `encoding_format: "base64"` form: little-endian float32s, base64-encoded (the official Python client
    /// asks for this by default).
    static func base64(_ vector: [Float]) -> String {
        var data = Data(capacity: vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data.base64EncodedString()
    }
}
