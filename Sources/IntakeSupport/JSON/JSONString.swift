/// The one JSON string writer of Intake (log lines, `/readyz`, receiver replies, SQS task
/// bodies, stored headers, ``JSONNode/serialized()``): a quoted string literal with `"` and `\`
/// escaped, `\b \f \n \r \t` in their short forms, every other C0 control and DEL as `\u00XX`,
/// and everything else as UTF-8, which RFC 8259 allows. U+0000 is written as `\u0000`, valid
/// JSON that `jsonb` refuses: writers of `jsonb` text decide what to do with it first.
package enum JSONString {
    private static let hex = Array("0123456789abcdef".utf8)

    /// `value` as a quoted JSON string, appended to `out`.
    package static func append(_ value: some StringProtocol, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            if let short = shortEscape(byte) {
                out.append(UInt8(ascii: "\\"))
                out.append(short)
            } else if byte < 0x20 || byte == 0x7F {
                out.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                ])
            } else {
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `value` as a quoted JSON string, appended to `out`.
    package static func append(_ value: some StringProtocol, to out: inout String) {
        if !value.utf8.contains(where: needsEscape) {
            out += "\""
            out += value
            out += "\""
            return
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count + 8)
        append(value, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// `value` as a quoted JSON string.
    package static func quoted(_ value: some StringProtocol) -> String {
        var out = ""
        append(value, to: &out)
        return out
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F
    }

    private static func shortEscape(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "\""): UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case 0x08: UInt8(ascii: "b")
        case 0x0C: UInt8(ascii: "f")
        case 0x0A: UInt8(ascii: "n")
        case 0x0D: UInt8(ascii: "r")
        case 0x09: UInt8(ascii: "t")
        default: nil
        }
    }
}
