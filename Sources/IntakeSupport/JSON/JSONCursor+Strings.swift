extension JSONCursor {
    /// Reads the string whose opening quote is at `index`; returns its text when `decode`.
    /// UTF-8 is validated byte by byte; nothing is allocated unless `decode` meets an escape.
    mutating func string(decode: Bool) throws(JSONParseError) -> String? {
        index += 1
        let start = index
        var decoded: [UInt8]? = nil
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let end = index
                index += 1
                guard decode else { return nil }
                if let decoded { return String(decoding: decoded, as: UTF8.self) }
                return text(start..<end)
            case UInt8(ascii: "\\"):
                if decode, decoded == nil { decoded = Array(bytes[start..<index]) }
                try escape(into: &decoded)
            case 0x00..<0x20:
                throw failure("unescaped control character in a string")
            case 0x80...:
                let end = try utf8Sequence()
                decoded?.append(contentsOf: bytes[index..<end])
                index = end
            default:
                decoded?.append(byte)
                index += 1
            }
        }
        throw failure("unterminated string")
    }

    /// Reads the escape whose backslash is at `index`, appending its UTF-8 to `out` when given.
    private mutating func escape(into out: inout [UInt8]?) throws(JSONParseError) {
        let start = index
        guard index + 1 < bytes.count else { throw failure("unterminated escape sequence", at: index + 1) }
        let code = bytes[index + 1]
        let simple: UInt8
        switch code {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            index += 2
            let scalar = try unicodeEscape(startingAt: start)
            if out != nil { Unicode.UTF8.encode(scalar) { out!.append($0) } }
            return
        default:
            throw failure("invalid escape sequence", at: index + 1)
        }
        index += 2
        out?.append(simple)
    }

    /// The scalar of `\uXXXX` (a pair for characters beyond the BMP), with `index` after `\u`.
    private mutating func unicodeEscape(startingAt start: Int) throws(JSONParseError) -> Unicode.Scalar {
        var value = try hex4()
        if value == 0, options.requireStorable {
            throw JSONParseError(
                .unstorable, offset: start, reason: "the escape \\u0000 (PostgreSQL's jsonb cannot hold U+0000)")
        }
        // Legal JSON text but not Unicode: no String holds it, and jsonb refuses it too.
        let unpaired = JSONParseError(
            .unstorable, offset: start,
            reason: "an unpaired UTF-16 surrogate escape (PostgreSQL's jsonb accepts only pairs)")
        if (0xDC00..<0xE000).contains(value) { throw unpaired }
        if (0xD800..<0xDC00).contains(value) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw unpaired }
            index += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw unpaired }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        // Every value left is a scalar: surrogates were paired or refused above.
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - 0x30
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - 0x57
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - 0x37
            default: throw failure("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Validates the multi-byte UTF-8 sequence at `index` (RFC 3629: no overlongs, no encoded
    /// surrogates, nothing past U+10FFFF); returns the index after it.
    private func utf8Sequence() throws(JSONParseError) -> Int {
        let lead = bytes[index]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: throw failure("string is not valid UTF-8")
        }
        guard index + length <= bytes.count else { throw failure("string is not valid UTF-8") }
        let second = bytes[index + 1]
        guard second >= lower, second <= upper else { throw failure("string is not valid UTF-8") }
        for offset in 2..<max(length, 2) where bytes[index + offset] & 0xC0 != 0x80 {
            throw failure("string is not valid UTF-8")
        }
        return index + length
    }
}
