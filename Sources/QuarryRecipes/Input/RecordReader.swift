/// An input file as a stream of accepted and rejected records (see `RecordMapper`), read in constant
/// memory whatever its size.
public struct RecordReader {
    private var scanner: any RecordScanner
    private let mapper: RecordMapper
    private var position = 0

    public init(recipe: any Recipe, input: StoredBuildSpec.Input) throws(RecipeError) {
        scanner = try RecordScanners.open(path: input.path, format: input.format, limit: input.maxRecordBytes)
        mapper = RecordMapper(recipe: recipe, input: input)
    }

    /// The next record's outcome, or nil at the end of the file.
    public mutating func next() throws(RecipeError) -> RecordOutcome? {
        guard var raw = try scanner.next() else {
            scanner.close()
            return nil
        }
        position += 1
        raw.position = position
        return mapper.map(raw)
    }

    public func close() { scanner.close() }
}
