/// Byte-level text checks shared by the validators. Inputs are raw field bytes; nothing here
/// allocates unless it returns a String.
enum ByteText {
    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = bytes.count
        while start < end && isSpace(bytes[start]) { start += 1 }
        while end > start && isSpace(bytes[end - 1]) { end -= 1 }
        if start == 0 && end == bytes.count { return bytes }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    static func allDigits(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where !isDigit(byte) { return false }
        return !bytes.isEmpty
    }

    /// Value of `count` ASCII digits starting at `offset`, or nil when any is not a digit.
    @inline(__always)
    static func digits(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ count: Int) -> Int? {
        var value = 0
        for i in offset..<(offset + count) {
            let digit = bytes[i] &- 0x30
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    /// True when the bytes are valid UTF-8 without NUL: what a PostgreSQL text column accepts.
    @inline(__always)
    static func isStorableText(_ bytes: UnsafeRawBufferPointer) -> Bool {
        firstUnstorableByte(bytes) == nil
    }

    /// Where the bytes stop being valid UTF-8 without NUL, or nil when they never do.
    /// ASCII is checked eight bytes at a time, the rare multi-byte text decoded properly.
    static func firstUnstorableByte(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let count = bytes.count
        guard let base = bytes.baseAddress else { return nil }
        var i = 0
        while i + 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            // High bit set, or a zero byte (classic "has zero byte" bit trick).
            let hasZero = (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
            if word & 0x8080_8080_8080_8080 != 0 || hasZero != 0 { break }
            i += 8
        }
        while i < count {
            let byte = bytes[i]
            if byte == 0 { return i }
            if byte < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var scalar: UInt32
            switch byte {
            case 0xC2...0xDF: length = 2; scalar = UInt32(byte & 0x1F)
            case 0xE0...0xEF: length = 3; scalar = UInt32(byte & 0x0F)
            case 0xF0...0xF4: length = 4; scalar = UInt32(byte & 0x07)
            default: return i
            }
            guard i + length <= count else { return i }
            for k in 1..<length {
                let next = bytes[i + k]
                guard next & 0xC0 == 0x80 else { return i }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            // Overlong three/four-byte forms, surrogates, and beyond U+10FFFF.
            if length == 3 && (scalar < 0x800 || (0xD800...0xDFFF).contains(scalar)) { return i }
            if length == 4 && (scalar < 0x10000 || scalar > 0x10FFFF) { return i }
            i += length
        }
        return nil
    }

    /// Number of Unicode scalars in valid UTF-8 (what PostgreSQL counts as characters).
    static func characterCount(_ bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0
        for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// Text a PostgreSQL text column will take: invalid UTF-8 and NUL become U+FFFD.
    static func storableText(_ bytes: UnsafeRawBufferPointer) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.utf8.contains(0) else { return text }
        return String(text.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : Character($0) })
    }

    static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }

    /// Case-insensitive comparison with a lowercase ASCII literal.
    static func equalsLowercase(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let lit = literal.utf8Start
        for i in 0..<bytes.count where asciiLowercased(bytes[i]) != lit[i] { return false }
        return true
    }
}
