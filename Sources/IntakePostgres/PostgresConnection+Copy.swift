import CLibPQ

/// Streams rows into a `COPY … FROM STDIN` in progress.
public struct PostgresCopyWriter: ~Copyable {
    let handle: OpaquePointer

    /// Sends bytes in COPY's text (or CSV) format; rows need not align with calls.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        let status = PQputCopyData(
            handle, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        if status != 1 {
            throw PostgresError(kind: .connection, message: String(cString: PQerrorMessage(handle)))
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }
}

extension PostgresConnection {
    /// Runs `sql` (a `COPY … FROM STDIN`), lets `body` stream the data, and finishes the
    /// copy. When `body` throws, the copy is aborted and the error rethrown. Returns the
    /// number of rows the server loaded.
    @discardableResult
    public func copyIn(_ sql: String, _ body: (borrowing PostgresCopyWriter) throws -> Void) throws -> Int {
        try ensureConnected()
        guard let handle else { throw PostgresError(kind: .connection, message: "not connected") }
        // One deadline for the whole COPY: a stopped server stops reading, and PQputCopyData
        // then blocks as surely as a statement waiting for its answer.
        let (rows, failure, serverError) = try withAnswerDeadline { () throws -> (Int, (any Error)?, (any Error)?) in
            let start = PQexec(handle, sql)
            let started = try check(start, statement: sql)
            _ = started
            let writer = PostgresCopyWriter(handle: handle)
            var failure: (any Error)?
            do {
                try body(writer)
            } catch {
                failure = error
            }
            let message: String? = failure.map { "aborted by client: \($0)" }
            if PQputCopyEnd(handle, message) != 1 {
                throw PostgresError(kind: .connection, message: String(cString: PQerrorMessage(handle)))
            }
            var rows = 0
            var serverError: (any Error)?
            while let result = PQgetResult(handle) {
                do {
                    rows += try check(result, statement: sql).affectedRows
                } catch {
                    serverError = serverError ?? error
                }
            }
            return (rows, failure, serverError)
        }
        if let failure { throw failure }
        if let serverError { throw serverError }
        return rows
    }
}
