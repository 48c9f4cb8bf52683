/// Where a field's decoded bytes live inside a record.
struct CSVFieldSpan {
    var start: Int
    var end: Int
    /// The bytes live in the parser's scratch buffer (a quoted field with doubled quotes or stray
    /// characters after its closing quote had to be rewritten); otherwise they are a slice of `raw`.
    var inScratch: Bool
}

/// How a record deviated from RFC 4180 while still being readable. The validator turns it into a
/// `malformed_row` error; the parser carries on with the next record.
public enum CSVMalformation: String, Sendable, Equatable {
    /// Characters followed a closing quote before the delimiter (`"abc"def`); kept literally.
    case textAfterClosingQuote = "text after closing quote"
    /// The input ended inside a quoted field.
    case unterminatedQuote = "unterminated quoted field"
}

/// One CSV record as a view into the parser's buffers.
///
/// Valid only until the next call on the `CSVParser` that produced it: copy out what you keep
/// (`string(at:)`, `rawText()`, `Array(record[i])`).
public struct CSVRecord {
    /// 1-based data row number (the header is row 0).
    public let rowNumber: Int
    /// True for the header record at the start of a file.
    public var isHeader: Bool { rowNumber == 0 }
    /// File offset of the record's first byte.
    public let startByteOffset: Int64
    /// File offset just past the record's line terminator: where a ranged resume starts.
    public let endByteOffset: Int64
    /// The record's bytes as they arrived, without the line terminator (for `import_job_errors.raw`).
    public let raw: UnsafeRawBufferPointer
    public let fieldCount: Int
    public let malformation: CSVMalformation?
    /// Set when the record was longer than the parser's limit: `raw` then holds only its first
    /// bytes and there are no fields.
    public let oversized: OversizedRecord?

    let spans: UnsafePointer<CSVFieldSpan>
    let scratch: UnsafePointer<UInt8>?

    init(
        rowNumber: Int, startByteOffset: Int64, endByteOffset: Int64, raw: UnsafeRawBufferPointer,
        fieldCount: Int, malformation: CSVMalformation?, oversized: OversizedRecord?, spans: UnsafePointer<CSVFieldSpan>,
        scratch: UnsafePointer<UInt8>?
    ) {
        self.rowNumber = rowNumber
        self.startByteOffset = startByteOffset
        self.endByteOffset = endByteOffset
        self.raw = raw
        self.fieldCount = fieldCount
        self.malformation = malformation
        self.oversized = oversized
        self.spans = spans
        self.scratch = scratch
    }

    /// The decoded bytes of field `index` (quotes removed, doubled quotes collapsed).
    @inline(__always)
    public subscript(index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < fieldCount, "CSV field index \(index) out of range 0..<\(fieldCount)")
        let span = spans[index]
        if span.inScratch, let scratch {
            return UnsafeRawBufferPointer(start: scratch + span.start, count: span.end - span.start)
        }
        return UnsafeRawBufferPointer(rebasing: raw[span.start..<span.end])
    }

    /// Field `index` decoded as UTF-8 (invalid sequences replaced).
    public func string(at index: Int) -> String {
        String(decoding: self[index], as: UTF8.self)
    }

    /// Every field as a String; for headers and tests, not for the hot path.
    public var strings: [String] {
        (0..<fieldCount).map { string(at: $0) }
    }

    /// The raw record as text PostgreSQL will store: invalid UTF-8 replaced, NUL bytes replaced;
    /// an oversized record's first bytes, marked as cut short.
    public func rawText() -> String {
        oversized == nil ? ByteText.storableText(raw) : OversizedRecord.rawText(raw)
    }

    /// Where to resume after this record (after it has been committed).
    public var resumePointAfter: CSVParser.ResumePoint {
        CSVParser.ResumePoint(byteOffset: endByteOffset, nextRowNumber: rowNumber + 1)
    }
}
