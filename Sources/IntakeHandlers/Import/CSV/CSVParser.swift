#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming RFC 4180 CSV parser over bytes.
///
/// Written here rather than taken from a library for two reasons. Speed: a claims import has to
/// keep up with PostgreSQL's own `COPY`, so fields stay byte slices of the input (no `String`,
/// no per-field allocation) and quoted runs are skipped with `memchr`. Streaming with byte
/// offsets: input arrives as arbitrary network chunks, and every record reports the file offset
/// just past it, which is what a resumable import stores as `last_processed_byte` and later
/// asks S3 for with a ranged GET. The CSV readers available for Swift parse whole strings or
/// files and cannot say where a record ended in the byte stream.
///
/// Accepted: quoted fields with embedded delimiters, doubled quotes and line breaks; LF, CRLF or
/// a bare CR as line terminator; a UTF-8 BOM at the start of a file; a last record without a
/// terminator. Empty lines are skipped (they are not records and get no row number). Records
/// with a different number of fields than the header are returned as they are — the validator
/// decides. Text after a closing quote and an unterminated quote are kept (as Python's csv
/// module would) and flagged with `CSVRecord.malformation`.
///
/// A record longer than `maxRecordBytes` is not held in memory: the parser keeps its first bytes,
/// skips the rest up to the record's end and returns it with `oversized` set (and no fields), so
/// the records after it are still read. An unclosed quote makes that record run to the end of
/// the file, which `OversizedRecord.endsInUnclosedQuote` says.
///
/// Usage: `append` chunks as they arrive, drain `nextRecord()` until it returns nil, and call
/// `finish()` at the end of input before draining the last time. Memory is bounded by the chunk
/// size plus `maxRecordBytes`.
public final class CSVParser {
    /// Where a parse starts: the beginning of a file or the start of a record inside one.
    public struct ResumePoint: Sendable, Hashable {
        /// File offset of a record's first byte (`import_jobs.last_processed_byte`).
        public var byteOffset: Int64
        /// Row number that record will get (`import_jobs.last_processed_offset + 1`).
        public var nextRowNumber: Int

        public init(byteOffset: Int64, nextRowNumber: Int) {
            self.byteOffset = byteOffset
            self.nextRowNumber = nextRowNumber
        }
    }

    enum ScanState: UInt8 {
        case fieldStart, unquoted, quoted, quoteInQuoted, afterCR
    }

    public let maxRecordBytes: Int

    // Input buffer: bytes [head, tail) are not yet returned as records.
    var storage: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var head = 0
    var tail = 0
    /// File offset of storage[0].
    var storageOffset: Int64
    var atEOF = false
    var awaitingBOMCheck: Bool
    var headerPending: Bool
    var nextRowNumber: Int

    // Scan state of the record starting at `head`, relative to `head`, so it survives compaction.
    var scanPosition = 0
    var state = ScanState.fieldStart
    var fieldStart = 0
    var fieldQuoted = false
    var fieldNeedsRewrite = false
    var contentEnd = 0
    var malformation: CSVMalformation?

    var spans: UnsafeMutablePointer<CSVFieldSpan>
    var spanCapacity = 64
    var spanCount = 0

    var scratch: UnsafeMutablePointer<UInt8>
    var scratchCapacity = 1024

    let skip = OversizedRecordSkip()

    /// Parse a file from its beginning: strip a BOM, return the first record as the header.
    public convenience init(maxRecordBytes: Int = ImportSettings.defaultMaxRecordBytes) {
        self.init(start: nil, maxRecordBytes: maxRecordBytes)
    }

    /// Parse from `resumePoint` (the start of a record) when given: no BOM, no header (take the
    /// header from the import job's metadata), rows numbered from `nextRowNumber`.
    public init(start resumePoint: ResumePoint?, maxRecordBytes: Int = ImportSettings.defaultMaxRecordBytes) {
        precondition(maxRecordBytes > 0, "maxRecordBytes must be positive")
        self.maxRecordBytes = maxRecordBytes
        storageOffset = resumePoint?.byteOffset ?? 0
        nextRowNumber = resumePoint?.nextRowNumber ?? 1
        awaitingBOMCheck = resumePoint == nil
        headerPending = resumePoint == nil
        capacity = 64 * 1024
        storage = .allocate(capacity: capacity)
        spans = .allocate(capacity: spanCapacity)
        scratch = .allocate(capacity: scratchCapacity)
    }

    deinit {
        storage.deallocate()
        spans.deallocate()
        scratch.deallocate()
    }

    /// File offset of the first byte not yet returned in a record.
    public var consumedByteOffset: Int64 { storageOffset + Int64(head) }

    /// Feed the next chunk of input. Invalidates records returned earlier.
    public func append(_ bytes: UnsafeRawBufferPointer) {
        precondition(!atEOF, "CSVParser.append after finish()")
        let count = bytes.count
        guard count > 0, let source = bytes.baseAddress else { return }
        if tail + count > capacity {
            compact()
            if tail + count > capacity {
                grow(to: max(capacity * 2, tail + count))
            }
        }
        (storage + tail).update(from: source.assumingMemoryBound(to: UInt8.self), count: count)
        tail += count
    }

    public func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Marks the end of input; the next `nextRecord()` calls return the last record even
    /// without a line terminator.
    public func finish() {
        atEOF = true
    }

    /// The next complete record, or nil when more input is needed (or, after `finish()`, when
    /// the input is exhausted). A record longer than `maxRecordBytes` comes back with
    /// `oversized` set.
    public func nextRecord() -> CSVRecord? {
        if awaitingBOMCheck {
            guard skipBOM() else { return nil }
        }
        guard let recordEnd = scan() else {
            // Two bytes of slack: a CRLF whose LF has not arrived yet is not content.
            if skip.start != nil || tail - head > maxRecordBytes + 2 { discardScanned() }
            return nil
        }
        if skip.start != nil || contentEnd > maxRecordBytes { return emitOversized(recordEnd: recordEnd) }
        return emit(recordEnd: recordEnd)
    }

    /// Feeds `bytes` and hands every record completed by them to `body`.
    public func parse(
        _ bytes: UnsafeRawBufferPointer, _ body: (CSVRecord) throws -> Void
    ) throws {
        append(bytes)
        while let record = nextRecord() { try body(record) }
    }

    /// Marks the end of input and hands the remaining records to `body`.
    public func finish(_ body: (CSVRecord) throws -> Void) throws {
        finish()
        while let record = nextRecord() { try body(record) }
    }

    private func skipBOM() -> Bool {
        let available = tail - head
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        var matched = 0
        while matched < min(available, 3) && storage[head + matched] == bom[matched] { matched += 1 }
        if matched == 3 {
            head += 3
        } else if matched == available && !atEOF {
            return false  // a BOM prefix so far: wait for the rest
        }
        awaitingBOMCheck = false
        return true
    }

    private func emit(recordEnd: Int) -> CSVRecord {
        let base = UnsafeRawPointer(storage + head)
        let raw = UnsafeRawBufferPointer(start: base, count: contentEnd)
        rewriteFieldsIfNeeded(raw)
        let record = CSVRecord(
            rowNumber: takeRowNumber(), startByteOffset: storageOffset + Int64(head),
            endByteOffset: storageOffset + Int64(head + recordEnd), raw: raw, fieldCount: spanCount,
            malformation: malformation, oversized: nil, spans: spans, scratch: scratch)
        advance(past: recordEnd)
        return record
    }

    /// A record over `maxRecordBytes`: its first bytes as `raw`, no fields.
    private func emitOversized(recordEnd: Int) -> CSVRecord {
        let skippedFrom = skip.end()
        let start = skippedFrom ?? storageOffset + Int64(head)
        let raw =
            skippedFrom == nil
            ? UnsafeRawBufferPointer(start: storage + head, count: min(OversizedRecord.keptBytes, contentEnd))
            : skip.keptBytes
        let oversized = OversizedRecord(
            byteCount: storageOffset + Int64(head + contentEnd) - start, limit: maxRecordBytes,
            endsInUnclosedQuote: malformation == .unterminatedQuote)
        let record = CSVRecord(
            rowNumber: takeRowNumber(), startByteOffset: start, endByteOffset: storageOffset + Int64(head + recordEnd),
            raw: raw, fieldCount: 0, malformation: malformation, oversized: oversized, spans: spans, scratch: scratch)
        advance(past: recordEnd)
        return record
    }

    private func takeRowNumber() -> Int {
        if headerPending {
            headerPending = false
            return 0
        }
        nextRowNumber += 1
        return nextRowNumber - 1
    }

    private func advance(past recordEnd: Int) {
        head += recordEnd
        scanPosition = 0
        state = .fieldStart
        spanCount = 0
        malformation = nil
    }

    /// Drops the bytes `scan` has been through of a record over the limit (keeping its first
    /// bytes once), so a huge record costs no memory; the scan state carries on where it was.
    private func discardScanned() {
        let dropped = scanPosition
        skip.begin(at: storageOffset + Int64(head), storage + head, count: dropped)
        head += dropped
        scanPosition = 0
        fieldStart = 0
        contentEnd -= dropped  // set already when a CR waits for its LF
        // The fields of an oversized record are never returned, but `scan` reads "no field
        // yet" as "at a record's start" (empty lines are skipped there): one stays.
        spanCount = min(spanCount, 1)
    }

    /// Collapses doubled quotes and drops enclosing quotes into scratch for the fields that need
    /// it; most records have none and cost one flag test per field.
    private func rewriteFieldsIfNeeded(_ raw: UnsafeRawBufferPointer) {
        let spans = self.spans
        let count = spanCount
        var index = 0
        while index < count && !spans[index].inScratch { index += 1 }
        guard index < count else { return }
        var written = 0
        for index in index..<count where spans[index].inScratch {
            let span = spans[index]
            let length = span.end - span.start
            if written + length > scratchCapacity {
                let newCapacity = max(scratchCapacity * 2, written + length)
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
                bigger.update(from: scratch, count: written)
                scratch.deallocate()
                scratch = bigger
                scratchCapacity = newCapacity
            }
            let start = written
            var i = span.start
            var inQuotes = false
            if i < span.end && raw[i] == CSVByte.quote {
                inQuotes = true
                i += 1
            }
            while i < span.end {
                let byte = raw[i]
                if inQuotes && byte == CSVByte.quote {
                    if i + 1 < span.end && raw[i + 1] == CSVByte.quote {
                        scratch[written] = CSVByte.quote
                        written += 1
                        i += 2
                    } else {
                        inQuotes = false
                        i += 1
                    }
                    continue
                }
                scratch[written] = byte
                written += 1
                i += 1
            }
            spans[index] = CSVFieldSpan(start: start, end: written, inScratch: true)
        }
    }

    private func compact() {
        guard head > 0 else { return }
        let live = tail - head
        if live > 0 { storage.update(from: storage + head, count: live) }
        storageOffset += Int64(head)
        tail = live
        head = 0
    }

    private func grow(to newCapacity: Int) {
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: storage, count: tail)
        storage.deallocate()
        storage = bigger
        capacity = newCapacity
    }

    func growSpans() {
        let bigger = UnsafeMutablePointer<CSVFieldSpan>.allocate(capacity: spanCapacity * 2)
        bigger.update(from: spans, count: spanCount)
        spans.deallocate()
        spans = bigger
        spanCapacity *= 2
    }
}

enum CSVByte {
    static let quote: UInt8 = 0x22
    static let comma: UInt8 = 0x2C
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
}
