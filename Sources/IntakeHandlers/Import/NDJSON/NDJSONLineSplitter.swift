#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a newline-delimited JSON stream, fed in arbitrary chunks, into lines with their line
/// numbers and byte offsets (for `last_processed_byte` and a ranged resume). LF or CRLF ends a
/// line; a last line without terminator is returned after `finish()`; blank lines (only spaces,
/// tabs or CR) are skipped but counted, so line numbers match what an editor shows. A line longer
/// than `maxLineBytes` is not held in memory: its first bytes are kept, the rest skipped up to
/// its end, and it comes back with `oversized` set so the lines after it are still read.
public final class NDJSONLineSplitter {
    public struct ResumePoint: Sendable, Hashable {
        /// File offset of a line's first byte.
        public var byteOffset: Int64
        /// The physical line number of that line.
        public var nextLineNumber: Int

        public init(byteOffset: Int64, nextLineNumber: Int) {
            self.byteOffset = byteOffset
            self.nextLineNumber = nextLineNumber
        }
    }

    /// One line: a view into the splitter's buffer, valid until the next call on it.
    public struct Line {
        public let lineNumber: Int
        public let startByteOffset: Int64
        /// Just past the line terminator: where a resume starts.
        public let endByteOffset: Int64
        /// The line without its terminator (of an oversized line: its first bytes).
        public let bytes: UnsafeRawBufferPointer
        /// Set when the line was longer than the splitter's limit.
        public let oversized: OversizedRecord?

        public var resumePointAfter: ResumePoint {
            ResumePoint(byteOffset: endByteOffset, nextLineNumber: lineNumber + 1)
        }

        public func text() -> String {
            oversized == nil ? ByteText.storableText(bytes) : OversizedRecord.rawText(bytes)
        }
    }

    public let maxLineBytes: Int
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity = 64 * 1024
    private var head = 0
    private var tail = 0
    /// Bytes from `head` already known to hold no LF.
    private var scanned = 0
    private var storageOffset: Int64
    private var nextLineNumber: Int
    private var atEOF = false
    private let skip = OversizedRecordSkip()

    public init(start: ResumePoint? = nil, maxLineBytes: Int = ImportSettings.defaultMaxRecordBytes) {
        precondition(maxLineBytes > 0, "maxLineBytes must be positive")
        self.maxLineBytes = maxLineBytes
        storageOffset = start?.byteOffset ?? 0
        nextLineNumber = start?.nextLineNumber ?? 1
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    public func append(_ bytes: UnsafeRawBufferPointer) {
        precondition(!atEOF, "NDJSONLineSplitter.append after finish()")
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if tail + bytes.count > capacity {
            if head > 0 {
                let live = tail - head
                storage.update(from: storage + head, count: live)
                storageOffset += Int64(head)
                tail = live
                head = 0
            }
            if tail + bytes.count > capacity {
                let newCapacity = max(capacity * 2, tail + bytes.count)
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
                bigger.update(from: storage, count: tail)
                storage.deallocate()
                storage = bigger
                capacity = newCapacity
            }
        }
        (storage + tail).update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        tail += bytes.count
    }

    public func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    public func finish() { atEOF = true }

    /// The next non-blank line, or nil when more input is needed (after `finish()`: when done).
    public func nextLine() -> Line? {
        while true {
            let available = tail - head
            guard available > 0 else { return nil }
            let base = storage + head
            let found = memchr(base + scanned, 0x0A, available - scanned)
            let contentEnd: Int
            let lineEnd: Int
            if let found {
                lineEnd = found.assumingMemoryBound(to: UInt8.self) - base + 1
                contentEnd = lineEnd - 1
            } else if atEOF {
                lineEnd = available
                contentEnd = available
            } else {
                scanned = available
                // One byte of slack: a CR whose LF has not arrived yet is not content.
                if skip.start != nil || available > maxLineBytes + 1 { discardScanned() }
                return nil
            }
            var end = contentEnd
            if end > 0 && base[end - 1] == 0x0D { end -= 1 }
            let lineNumber = nextLineNumber
            let start = storageOffset + Int64(head)
            nextLineNumber += 1
            head += lineEnd
            scanned = 0
            var blank = true
            for i in 0..<end where !ByteText.isSpace(base[i]) && base[i] != 0x0D {
                blank = false
                break
            }
            if let skippedFrom = skip.end() {
                return Line(
                    lineNumber: lineNumber, startByteOffset: skippedFrom, endByteOffset: start + Int64(lineEnd),
                    bytes: skip.keptBytes,
                    oversized: OversizedRecord(byteCount: start + Int64(end) - skippedFrom, limit: maxLineBytes))
            }
            if blank { continue }
            if end > maxLineBytes {
                return Line(
                    lineNumber: lineNumber, startByteOffset: start, endByteOffset: start + Int64(lineEnd),
                    bytes: UnsafeRawBufferPointer(start: base, count: min(OversizedRecord.keptBytes, end)),
                    oversized: OversizedRecord(byteCount: Int64(end), limit: maxLineBytes))
            }
            return Line(
                lineNumber: lineNumber, startByteOffset: start, endByteOffset: start + Int64(lineEnd),
                bytes: UnsafeRawBufferPointer(start: base, count: end), oversized: nil)
        }
    }

    /// Drops the scanned bytes of a line over the limit (keeping its first bytes once), all but
    /// the last, which may be the CR of a CRLF still to come.
    private func discardScanned() {
        let dropped = scanned - 1
        skip.begin(at: storageOffset + Int64(head), storage + head, count: dropped)
        head += dropped
        scanned = 1
    }
}
