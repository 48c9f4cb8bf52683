import Foundation

/// One chunk of an import: the valid rows already in COPY text format, the invalid rows with
/// their errors, and where the chunk ends in the file. What one transaction commits.
struct ImportChunk: Sendable {
    var copy: CopyTextBuffer
    var failures = ImportRowFailures()
    /// Records in this chunk, valid or not.
    var records = 0
    var valid = 0
    /// The chunk's last row (CSV data row, NDJSON line) and the offset just past it.
    var lastRow: Int64 = 0
    var endByte: Int64 = 0

    init(reservingCapacity capacity: Int) {
        copy = CopyTextBuffer(reservingCapacity: capacity)
    }

    var isEmpty: Bool { records == 0 }

    mutating func accepted(row: Int, endByte: Int64) {
        valid += 1
        advance(row: row, endByte: endByte)
    }

    mutating func rejected(row: Int, errors: [RowError], raw: String, endByte: Int64) {
        failures.append(row: row, errors: errors, raw: raw)
        advance(row: row, endByte: endByte)
    }

    private mutating func advance(row: Int, endByte: Int64) {
        records += 1
        lastRow = Int64(row)
        self.endByte = endByte
    }

    /// Empties the chunk for the next rows, keeping its buffers' capacity.
    mutating func reset() {
        copy.removeAll()
        failures.removeAll()
        records = 0
        valid = 0
    }
}

extension ImportProgress {
    /// The progress once `chunk` (and `staged` of its rows parked in staging) commits.
    func adding(_ chunk: ImportChunk, staged: Int64 = 0) -> ImportProgress {
        guard !chunk.isEmpty else { return self }
        var next = self
        next.processed += Int64(chunk.records)
        next.successful += Int64(chunk.valid)
        next.failed += Int64(chunk.failures.count)
        next.lastRow = chunk.lastRow
        next.lastByte = chunk.endByte
        next.staged += staged
        return next
    }
}

/// What the first record of a file or the next record made of the input.
enum DecodeStep {
    /// More input is needed (or, after `finish()`, the input is exhausted).
    case needMore
    /// A data record went into the chunk.
    case record
    /// The file's header (CSV): the runner records it and hands it back with `accept(header:)`.
    case header(CSVHeader)
}

/// Turns a byte stream into chunk rows. Implementations keep their parser's views valid only
/// until the next call, so nothing they return outlives a step.
protocol ImportDecoder: AnyObject {
    func append(_ bytes: UnsafeRawBufferPointer)
    func finish()
    func next(into chunk: inout ImportChunk) throws -> DecodeStep
    /// The header is acceptable: map its columns. Throws `ImportHeaderError` when it is not.
    func accept(header: CSVHeader) throws
    /// Whether a header was seen or given (CSV); NDJSON has none and answers true.
    var hasHeader: Bool { get }
}
