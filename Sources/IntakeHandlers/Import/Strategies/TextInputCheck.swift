/// A file that is not text (compressed, an archive, UTF-16, binary): the import fails with this
/// as its `error_message` before any row is read (docs/ARCHITECTURE.md, "Imports").
struct NotTextInput: Error, Sendable, Equatable, CustomStringConvertible {
    var description: String

    /// How many bytes at the start of a file are looked at.
    static let windowBytes = 8 * 1024

    static let signatures: [(magic: [UInt8], what: String)] = [
        // UTF-32 before UTF-16: FF FE starts both little-endian byte order marks.
        ([0xFF, 0xFE, 0x00, 0x00], "it is UTF-32 text (byte order mark ff fe 00 00); save it as UTF-8"),
        ([0x00, 0x00, 0xFE, 0xFF], "it is UTF-32 text (byte order mark 00 00 fe ff); save it as UTF-8"),
        ([0xFF, 0xFE], "it is UTF-16 text (byte order mark ff fe); save it as UTF-8"),
        ([0xFE, 0xFF], "it is UTF-16 text (byte order mark fe ff); save it as UTF-8"),
        ([0x1F, 0x8B], "it looks gzip-compressed (it starts with 1f 8b); upload it uncompressed"),
        ([0x28, 0xB5, 0x2F, 0xFD], "it looks zstd-compressed (it starts with 28 b5 2f fd); upload it uncompressed"),
        ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "it looks xz-compressed (it starts with fd 37 7a 58 5a); upload it uncompressed"),
        ([0x50, 0x4B, 0x03, 0x04], "it looks like a ZIP archive or an .xlsx workbook (it starts with PK 03 04); upload the text file itself"),
    ]

    /// The problem with a file that starts with `head` (its first `windowBytes`, or all of a
    /// shorter file), or nil when it may be UTF-8 text. Invalid UTF-8 further in is left to
    /// the rows it is in: one bad row is that row's error, not the file's.
    static func check(_ head: [UInt8]) -> NotTextInput? {
        for (magic, what) in signatures where head.starts(with: magic) {
            return NotTextInput(description: "the file is not UTF-8 text: \(what)")
        }
        if let nul = head.firstIndex(of: 0) {
            return NotTextInput(
                description: "the file is not UTF-8 text: it has a NUL byte at byte \(nul) "
                    + "(UTF-16 without a byte order mark, or binary data); save it as UTF-8 text")
        }
        return nil
    }
}

/// Holds back a file's first `NotTextInput.windowBytes` until they show the file may be text,
/// then passes everything through to `inner`. Only a file's start is checked: a resumed import
/// passed this check on its first attempt.
final class TextInputCheck: ImportDecoder {
    let inner: any ImportDecoder
    private var head: [UInt8] = []
    private var passed = false
    private var finished = false

    init(_ inner: any ImportDecoder) {
        self.inner = inner
        head.reserveCapacity(NotTextInput.windowBytes)
    }

    var hasHeader: Bool { inner.hasHeader }
    func accept(header: CSVHeader) throws { try inner.accept(header: header) }

    func append(_ bytes: UnsafeRawBufferPointer) {
        if passed { inner.append(bytes) } else { head.append(contentsOf: bytes) }
    }

    func finish() {
        finished = true
        if passed { inner.finish() }
    }

    func next(into chunk: inout ImportChunk) throws -> DecodeStep {
        if !passed {
            guard head.count >= NotTextInput.windowBytes || finished else { return .needMore }
            if let problem = NotTextInput.check(Array(head.prefix(NotTextInput.windowBytes))) { throw problem }
            passed = true
            head.withUnsafeBytes { inner.append($0) }
            head = []
            if finished { inner.finish() }
        }
        return try inner.next(into: &chunk)
    }
}
