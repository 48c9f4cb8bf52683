/// The kind of a JSON value.
public enum JSONValueKind: String, Sendable, Hashable {
    case string, number, bool, null, object, array
}

/// One top-level member of a JSON object: its key and its value's raw bytes.
struct JSONMember {
    var key: String
    /// The value as it appears in the line (strings with their quotes and escapes).
    var raw: UnsafeRawBufferPointer
    var kind: JSONValueKind
}

struct JSONSyntaxError: Error {
    var message: String
    var offset: Int
}

/// A strict JSON checker (RFC 8259) that also returns the top-level members of an object line.
/// Everything nested is checked too, as PostgreSQL's jsonb would check it — including the string
/// escapes jsonb refuses (`\u0000`, unpaired surrogates) — so a row that passes here never fails
/// a COPY.
struct JSONScanner {
    static let maxDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The members of the object that is the whole of `bytes`.
    static func objectMembers(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> [JSONMember] {
        guard ByteText.isStorableText(bytes) else {
            throw JSONSyntaxError(message: "the line is not valid UTF-8 (or contains a NUL byte)", offset: 0)
        }
        var scanner = JSONScanner(bytes)
        scanner.skipSpace()
        guard scanner.peek() == UInt8(ascii: "{") else {
            throw JSONSyntaxError(message: "expected a JSON object", offset: scanner.position)
        }
        scanner.position += 1
        var members: [JSONMember] = []
        scanner.skipSpace()
        if scanner.peek() == UInt8(ascii: "}") {
            scanner.position += 1
        } else {
            while true {
                scanner.skipSpace()
                let keyStart = scanner.position
                try scanner.string()
                let key = try decodeString(UnsafeRawBufferPointer(rebasing: bytes[keyStart..<scanner.position]))
                scanner.skipSpace()
                try scanner.expect(UInt8(ascii: ":"))
                scanner.skipSpace()
                let valueStart = scanner.position
                let kind = try scanner.value(depth: 1)
                members.append(
                    JSONMember(
                        key: key, raw: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<scanner.position]),
                        kind: kind))
                scanner.skipSpace()
                if scanner.peek() == UInt8(ascii: ",") {
                    scanner.position += 1
                    continue
                }
                try scanner.expect(UInt8(ascii: "}"))
                break
            }
        }
        scanner.skipSpace()
        guard scanner.position == bytes.count else {
            throw JSONSyntaxError(message: "unexpected text after the JSON object", offset: scanner.position)
        }
        return members
    }

    /// Unescapes a JSON string token (with its quotes) that `objectMembers` accepted.
    static func decodeString(_ token: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(token.count)
        var i = 1
        let end = token.count - 1
        while i < end {
            let byte = token[i]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                i += 1
                continue
            }
            let escape = token[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = hex4(token, i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    let low = hex4(token, i + 2)
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                guard let unicode = Unicode.Scalar(scalar) else {
                    throw JSONSyntaxError(message: "invalid \\u escape", offset: i)
                }
                out.append(contentsOf: String(Character(unicode)).utf8)
            default: out.append(escape)  // " \ /
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex4(_ token: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        var value: UInt32 = 0
        for k in 0..<4 { value = value << 4 | UInt32(hexValue(token[at + k]) ?? 0) }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x61...0x66: return byte - 0x61 + 10
        case 0x41...0x46: return byte - 0x41 + 10
        default: return nil
        }
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipSpace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(JSONSyntaxError) {
        guard peek() == byte else {
            throw JSONSyntaxError(message: "expected '\(Character(Unicode.Scalar(byte)))'", offset: position)
        }
        position += 1
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValueKind {
        guard depth <= Self.maxDepth else {
            throw JSONSyntaxError(message: "nested deeper than \(Self.maxDepth) levels", offset: position)
        }
        switch peek() {
        case UInt8(ascii: "\""):
            try string()
            return .string
        case UInt8(ascii: "{"):
            position += 1
            skipSpace()
            if peek() == UInt8(ascii: "}") { position += 1; return .object }
            while true {
                skipSpace()
                try string()
                skipSpace()
                try expect(UInt8(ascii: ":"))
                skipSpace()
                _ = try value(depth: depth + 1)
                skipSpace()
                if peek() == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "}"))
                return .object
            }
        case UInt8(ascii: "["):
            position += 1
            skipSpace()
            if peek() == UInt8(ascii: "]") { position += 1; return .array }
            while true {
                skipSpace()
                _ = try value(depth: depth + 1)
                skipSpace()
                if peek() == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "]"))
                return .array
            }
        case UInt8(ascii: "t"): try literal("true"); return .bool
        case UInt8(ascii: "f"): try literal("false"); return .bool
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            try number()
            return .number
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let length = word.utf8CodeUnitCount
        guard position + length <= bytes.count else {
            throw JSONSyntaxError(message: "unexpected end of line", offset: position)
        }
        for k in 0..<length where bytes[position + k] != word.utf8Start[k] {
            throw JSONSyntaxError(message: "invalid literal", offset: position)
        }
        position += length
    }

    private mutating func number() throws(JSONSyntaxError) {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), ByteText.isDigit(first) else {
            throw JSONSyntaxError(message: "expected a JSON value", offset: start)
        }
        position += 1
        if first != UInt8(ascii: "0") { while let b = peek(), ByteText.isDigit(b) { position += 1 } }
        if peek() == UInt8(ascii: ".") {
            position += 1
            try digits()
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            try digits()
        }
    }

    private mutating func digits() throws(JSONSyntaxError) {
        let start = position
        while let b = peek(), ByteText.isDigit(b) { position += 1 }
        guard position > start else { throw JSONSyntaxError(message: "malformed number", offset: start) }
    }

    private mutating func string() throws(JSONSyntaxError) {
        guard peek() == UInt8(ascii: "\"") else {
            throw JSONSyntaxError(message: "expected a string", offset: position)
        }
        position += 1
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return
            }
            if byte < 0x20 {
                throw JSONSyntaxError(message: "control character in a string", offset: position)
            }
            guard byte == UInt8(ascii: "\\") else {
                position += 1
                continue
            }
            guard position + 1 < bytes.count else { break }
            let escape = bytes[position + 1]
            position += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                continue
            case UInt8(ascii: "u"):
                let unit = try hexEscape()
                if unit == 0 {
                    throw JSONSyntaxError(message: "\\u0000 cannot be stored by PostgreSQL", offset: position - 6)
                }
                if (0xDC00...0xDFFF).contains(unit) {
                    throw JSONSyntaxError(message: "unpaired surrogate escape", offset: position - 6)
                }
                if (0xD800...0xDBFF).contains(unit) {
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                        bytes[position + 1] == UInt8(ascii: "u")
                    else { throw JSONSyntaxError(message: "unpaired surrogate escape", offset: position - 6) }
                    position += 2
                    let low = try hexEscape()
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw JSONSyntaxError(message: "unpaired surrogate escape", offset: position - 6)
                    }
                }
            default:
                throw JSONSyntaxError(message: "invalid escape in a string", offset: position - 2)
            }
        }
        throw JSONSyntaxError(message: "unterminated string", offset: position)
    }

    private mutating func hexEscape() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else {
            throw JSONSyntaxError(message: "truncated \\u escape", offset: position)
        }
        var value: UInt32 = 0
        for k in 0..<4 {
            guard let digit = Self.hexValue(bytes[position + k]) else {
                throw JSONSyntaxError(message: "invalid \\u escape", offset: position)
            }
            value = value << 4 | UInt32(digit)
        }
        position += 4
        return value
    }
}
