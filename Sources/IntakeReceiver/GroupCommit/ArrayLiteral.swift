import IntakePostgres

/// A PostgreSQL array literal built straight into UTF-8 bytes, for the `unnest($n::…[])`
/// parameters of a batch insert. A batch carries up to a few hundred bodies, so this is on
/// the hot path: one pass per value, no per-character string appends.
struct ArrayLiteral: PostgresEncodable {
    let text: String

    var postgresBind: PostgresBind { .text(text) }

    /// `text[]` or `jsonb[]` from text values (NULL for nil).
    static func texts(_ values: [String?]) -> ArrayLiteral {
        var capacity = 2
        for value in values { capacity += (value?.utf8.count ?? 4) + 3 }
        var out: [UInt8] = []
        out.reserveCapacity(capacity + capacity / 8)
        out.append(UInt8(ascii: "{"))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard let value else {
                out.append(contentsOf: "NULL".utf8)
                continue
            }
            out.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return ArrayLiteral(text: String(decoding: out, as: UTF8.self))
    }

    /// `bytea[]`: each element in bytea's hex form, `"\\x…"` (the array's backslash escaped).
    static func byteas(_ values: [[UInt8]]) -> ArrayLiteral {
        let digits = Array("0123456789abcdef".utf8)
        var capacity = 2
        for value in values { capacity += value.count * 2 + 6 }
        let text = String(unsafeUninitializedCapacity: capacity) { out in
            var position = 0
            @inline(__always) func put(_ byte: UInt8) {
                out[position] = byte
                position += 1
            }
            put(UInt8(ascii: "{"))
            for (index, value) in values.enumerated() {
                if index > 0 { put(UInt8(ascii: ",")) }
                put(UInt8(ascii: "\""))
                put(UInt8(ascii: "\\"))
                put(UInt8(ascii: "\\"))
                put(UInt8(ascii: "x"))
                for byte in value {
                    put(digits[Int(byte >> 4)])
                    put(digits[Int(byte & 0x0F)])
                }
                put(UInt8(ascii: "\""))
            }
            put(UInt8(ascii: "}"))
            return position
        }
        return ArrayLiteral(text: text)
    }
}
