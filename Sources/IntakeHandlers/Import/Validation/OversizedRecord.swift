/// A record (CSV row, NDJSON line) longer than the import's limit, `ImportSettings.maxRecordBytes`.
///
/// The parsers do not hold such a record in memory: past the limit they keep its first
/// `keptBytes` and skip the rest up to its end, then hand it on as one invalid row, so the rows
/// after it are still read (docs/ARCHITECTURE.md, "Imports").
public struct OversizedRecord: Sendable, Hashable {
    /// How much of an oversized record is kept for `import_job_errors.raw`.
    public static let keptBytes = 1024

    /// The record's length, without its line terminator.
    public var byteCount: Int64
    /// The limit it exceeded.
    public var limit: Int
    /// A CSV record that ran to the end of the file inside a quoted field.
    public var endsInUnclosedQuote: Bool

    public init(byteCount: Int64, limit: Int, endsInUnclosedQuote: Bool = false) {
        self.byteCount = byteCount
        self.limit = limit
        self.endsInUnclosedQuote = endsInUnclosedQuote
    }

    /// The row's error: what is wrong, and what a person can do about it.
    public func rowError(_ record: String) -> RowError {
        var message = "\(record) is \(byteCount) bytes long, over the limit of \(limit) bytes per record "
            + "(INTAKE_IMPORT_MAX_RECORD_BYTES); only its first \(Self.keptBytes) bytes are kept as raw"
        if endsInUnclosedQuote {
            message += "; it runs to the end of the file inside a quoted field that is never closed"
        }
        return RowError(.tooLong, column: nil, message)
    }

    /// The kept bytes as text for `import_job_errors.raw`, marked as cut short.
    static func rawText(_ kept: UnsafeRawBufferPointer) -> String {
        ByteText.storableText(kept) + "…"
    }
}

/// A parser's record being skipped for its length: where it began and its first bytes, kept
/// while the rest of it goes by.
final class OversizedRecordSkip {
    /// File offset of the record's first byte; nil while no record is being skipped.
    private(set) var start: Int64?
    private let kept: UnsafeMutablePointer<UInt8>
    private var keptCount = 0

    init() { kept = .allocate(capacity: OversizedRecord.keptBytes) }
    deinit { kept.deallocate() }

    /// Notes that the record at `fileOffset`, whose bytes so far are `bytes`, is over the limit;
    /// keeps its first bytes the first time.
    func begin(at fileOffset: Int64, _ bytes: UnsafePointer<UInt8>, count: Int) {
        guard start == nil else { return }
        start = fileOffset
        keptCount = min(OversizedRecord.keptBytes, count)
        kept.update(from: bytes, count: keptCount)
    }

    /// The kept bytes; valid until the next `begin`.
    var keptBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: kept, count: keptCount) }

    /// The record has ended: returns where it began.
    func end() -> Int64? {
        defer { start = nil }
        return start
    }
}
