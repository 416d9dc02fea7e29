/// Cuts an input file into raw records, streaming.
protocol RecordScanner {
    /// The next record, or nil at the end. Throws only for faults that make the rest of the file
    /// meaningless (it cannot be read; a JSON input that is not an array).
    mutating func next() throws(RecipeError) -> RawRecord?
    func close()
}

enum RecordScanners {
    static func open(path: String, format: InputFormat, limit: Int) throws(RecipeError) -> any RecordScanner {
        switch format {
        case .jsonl: return try JSONLinesScanner(path: path, limit: limit)
        case .json: return try JSONArrayScanner(path: path, limit: limit)
        }
    }
}
