/// Rows in PostgreSQL `COPY … FROM STDIN` text format, accumulated in one reusable byte buffer
/// for `PQputCopyData`: fields separated by tabs, rows ended by newlines, `\N` for NULL, and
/// backslash, tab, newline and carriage return escaped. Fields arrive as bytes; nothing here
/// builds a String.
///
/// Typical use: `append…` the fields of a row in table column order, `endRow()`, and once
/// `count` passes the flush size hand `bytes` to the connection and `removeAll()`.
public struct CopyTextBuffer: Sendable {
    public private(set) var bytes: [UInt8]
    public private(set) var rowCount = 0
    /// Fields appended to every row by `endRow()` (already encoded, each led by a tab): the
    /// columns that are the same for a whole import, such as `import_job_id`.
    private var rowSuffix: [UInt8] = []
    private var fieldsInRow = 0

    public init(reservingCapacity capacity: Int = 1 << 20) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Sets the values `endRow()` adds after each row's own fields (nil = NULL).
    public mutating func setTrailingColumns(_ values: [String?]) {
        var suffix = CopyTextBuffer(reservingCapacity: 64)
        for value in values {
            suffix.fieldsInRow = 1  // every trailing value follows the row's fields
            if let value { suffix.appendText(value) } else { suffix.appendNull() }
        }
        rowSuffix = suffix.bytes
    }

    public var count: Int { bytes.count }
    public var isEmpty: Bool { bytes.isEmpty }

    /// Empties the buffer after it was sent, keeping its capacity.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        rowCount = 0
        fieldsInRow = 0
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    @inline(__always)
    private mutating func separate() {
        if fieldsInRow > 0 { bytes.append(0x09) }
        fieldsInRow += 1
    }

    /// A text value, escaped.
    public mutating func appendText(_ value: UnsafeRawBufferPointer) {
        separate()
        var runStart = 0
        for i in 0..<value.count {
            let escaped: UInt8
            switch value[i] {
            case 0x5C: escaped = 0x5C
            case 0x09: escaped = 0x74
            case 0x0A: escaped = 0x6E
            case 0x0D: escaped = 0x72
            default: continue
            }
            appendRaw(value, runStart, i)
            bytes.append(0x5C)
            bytes.append(escaped)
            runStart = i + 1
        }
        appendRaw(value, runStart, value.count)
    }

    public mutating func appendText(_ value: String) {
        var value = value
        value.withUTF8 { appendText(UnsafeRawBufferPointer($0)) }
    }

    /// Bytes the caller has validated to contain no backslash, tab, CR or LF (digits, dates,
    /// validated numbers): copied without the escape scan.
    public mutating func appendVerbatim(_ value: UnsafeRawBufferPointer) {
        separate()
        appendRaw(value, 0, value.count)
    }

    public mutating func appendVerbatim(_ value: StaticString) {
        separate()
        appendRaw(UnsafeRawBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount), 0, value.utf8CodeUnitCount)
    }

    public mutating func appendNull() {
        separate()
        bytes.append(0x5C)
        bytes.append(0x4E)
    }

    public mutating func appendInt(_ value: Int) {
        separate()
        if value < 0 { bytes.append(0x2D) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(0x30 + magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            appendRaw(UnsafeRawBufferPointer(buffer), 20 - count, 20)
        }
    }

    public mutating func appendBool(_ value: Bool) {
        separate()
        bytes.append(value ? 0x74 : 0x66)
    }

    /// Appends an 11-digit NDC or a date without intermediate Strings.
    mutating func appendFixedDigits(_ write: (inout [UInt8], Int) -> Void, width: Int) {
        separate()
        let offset = bytes.count
        bytes.append(contentsOf: repeatElement(0x30, count: width))
        write(&bytes, offset)
    }

    /// Ends the current row: adds the trailing columns and the newline.
    public mutating func endRow() {
        if !rowSuffix.isEmpty { bytes.append(contentsOf: rowSuffix) }
        bytes.append(0x0A)
        fieldsInRow = 0
        rowCount += 1
    }

    @inline(__always)
    private mutating func appendRaw(_ value: UnsafeRawBufferPointer, _ start: Int, _ end: Int) {
        guard end > start, let base = value.baseAddress else { return }
        bytes.append(
            contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self) + start, count: end - start))
    }
}
