import CLibPQ

extension PostgresConnection {
    /// Bulk-loads rows with `COPY … FROM STDIN` (text format). `body` writes rows into the writer, which
    /// escapes tabs, newlines, carriage returns and backslashes and streams to the server in large chunks.
    /// If `body` throws, the COPY is aborted (nothing is loaded) and the error rethrown.
    ///
    ///     try await connection.copyIn("COPY items (id, body) FROM STDIN") { writer in
    ///         for item in items { try writer.appendRow([String(item.id), item.body]) }
    ///     }
    ///
    /// Returns the number of rows the server loaded.
    @discardableResult
    public func copyIn(
        _ statement: PostgresQuery, _ body: @escaping @Sendable (inout PostgresCopyWriter) throws -> Void
    ) async throws -> Int {
        precondition(statement.binds.count == 0, "COPY takes no bound parameters")
        return try await withLiveHandle { handle in
            guard let start = PQexec(handle, statement.sql) else {
                throw self.connectionError(handle, query: statement.sql)
            }
            guard PQresultStatus(start) == PGRES_COPY_IN else {
                _ = try self.check(start, handle: handle, query: statement.sql)
                throw PostgresError(code: .other, message: "statement did not start COPY FROM STDIN", query: statement.sql)
            }
            PQclear(start)
            var writer = PostgresCopyWriter { chunk in
                let status = chunk.withMemoryRebound(to: CChar.self) { chars in
                    PQputCopyData(handle, chars.baseAddress, Int32(chars.count))
                }
                if status != 1 { throw self.connectionError(handle, query: statement.sql) }
            }
            var bodyError: Error?
            do {
                try body(&writer)
                try writer.flush()
            } catch {
                bodyError = error
            }
            let reason = bodyError.map { "aborted by client: \($0)" }
            guard PQputCopyEnd(handle, reason) == 1 else { throw self.connectionError(handle, query: statement.sql) }
            var loaded = 0
            var serverFailure: Error?
            while let result = PQgetResult(handle) {
                do {
                    let checked = try self.check(result, handle: handle, query: statement.sql)
                    loaded = checked.affectedRows
                } catch {
                    serverFailure = serverFailure ?? error
                }
            }
            if let bodyError { throw bodyError }
            if let serverFailure { throw serverFailure }
            return loaded
        }
    }
}

/// Writes rows in COPY's text format. Fields are separated by tabs, rows end with a newline, NULL is `\N`.
public struct PostgresCopyWriter {
    private var buffer: [UInt8] = []
    private var fieldInRow = 0
    public private(set) var rowCount = 0
    private let sink: (UnsafeBufferPointer<UInt8>) throws -> Void
    /// Bytes buffered before a chunk is sent; large chunks keep the per-call overhead negligible.
    private let chunkSize = 1 << 18

    init(sink: @escaping (UnsafeBufferPointer<UInt8>) throws -> Void) {
        self.sink = sink
        buffer.reserveCapacity(chunkSize + 4096)
    }

    private mutating func separator() {
        if fieldInRow > 0 { buffer.append(0x09) }
        fieldInRow += 1
    }

    /// Appends a text field (nil is NULL). Throws for a NUL byte, which PostgreSQL text cannot store.
    public mutating func append(_ text: String?) throws {
        separator()
        guard var text else {
            buffer.append(0x5C)
            buffer.append(0x4E)  // \N
            return
        }
        let ok = text.withUTF8 { bytes -> Bool in
            for byte in bytes {
                switch byte {
                case 0x5C: buffer.append(0x5C); buffer.append(0x5C)  // backslash
                case 0x09: buffer.append(0x5C); buffer.append(0x74)  // \t
                case 0x0A: buffer.append(0x5C); buffer.append(0x6E)  // \n
                case 0x0D: buffer.append(0x5C); buffer.append(0x72)  // \r
                case 0x00: return false
                default: buffer.append(byte)
                }
            }
            return true
        }
        if !ok {
            throw PostgresError(
                code: .invalidValue, message: "COPY row \(rowCount + 1), field \(fieldInRow): text contains a NUL byte")
        }
    }

    /// Appends an integer field.
    public mutating func append(_ value: Int) {
        separator()
        if value >= 0 && value < 10 {
            buffer.append(0x30 + UInt8(value))
        } else {
            buffer.append(contentsOf: String(value).utf8)
        }
    }

    /// Ends the current row, sending a chunk when enough has accumulated.
    public mutating func endRow() throws {
        buffer.append(0x0A)
        fieldInRow = 0
        rowCount += 1
        if buffer.count >= chunkSize { try flush() }
    }

    /// Appends a whole row of text fields.
    public mutating func appendRow(_ fields: [String?]) throws {
        for field in fields { try append(field) }
        try endRow()
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBufferPointer { try sink($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
