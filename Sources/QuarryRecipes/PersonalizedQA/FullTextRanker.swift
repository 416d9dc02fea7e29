import Foundation

/// Okapi BM25 over a small set of documents held in memory: which of a community's answers best match a
/// question's text, for hard negatives. Words as `LexicalSupport` splits them (lowercased runs of letters
/// and digits, stopwords dropped, a plural `s` ignored).
public struct FullTextRanker: Sendable {
    static let k1 = 1.2
    static let b = 0.75

    private let documents: [[String: Int]]
    private let lengths: [Int]
    private let averageLength: Double
    private let documentFrequency: [String: Int]

    public init(_ texts: [String]) {
        var documents: [[String: Int]] = []
        var lengths: [Int] = []
        var frequency: [String: Int] = [:]
        for text in texts {
            let terms = Self.terms(text)
            var counts: [String: Int] = [:]
            for term in terms { counts[term, default: 0] += 1 }
            for term in counts.keys { frequency[term, default: 0] += 1 }
            documents.append(counts)
            lengths.append(terms.count)
        }
        self.documents = documents
        self.lengths = lengths
        self.averageLength = lengths.isEmpty ? 0 : Double(lengths.reduce(0, +)) / Double(lengths.count)
        self.documentFrequency = frequency
    }

    public var count: Int { documents.count }

    /// The BM25 score of document `index` for `query`.
    public func score(_ query: [String], document index: Int) -> Double {
        let counts = documents[index]
        let n = Double(documents.count)
        let norm = Self.k1 * (1 - Self.b + Self.b * Double(lengths[index]) / max(averageLength, 1))
        var score = 0.0
        for term in Set(query) {
            guard let tf = counts[term].map(Double.init) else { continue }
            let df = Double(documentFrequency[term] ?? 0)
            let idf = log(1 + (n - df + 0.5) / (df + 0.5))
            score += idf * tf * (Self.k1 + 1) / (tf + norm)
        }
        return score
    }

    /// The best-scoring document for `query` among those `allowed` admits; ties go to the lower index.
    /// Nil when none is allowed.
    public func best(for query: String, where allowed: (Int) -> Bool) -> Int? {
        let terms = Self.terms(query)
        var best: (index: Int, score: Double)?
        for index in documents.indices where allowed(index) {
            let score = score(terms, document: index)
            if best == nil || score > best?.score ?? 0 { best = (index, score) }
        }
        return best?.index
    }

    static func terms(_ text: String) -> [String] {
        LexicalSupport.words(text).filter { !LexicalSupport.stopwords.contains($0) && ($0.count > 1 || $0.first?.isNumber == true) }
            .map(LexicalSupport.singular)
    }
}
