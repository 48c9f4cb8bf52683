import Foundation

/// How one query parameter travels to the server: text (PostgreSQL parses it into the
/// parameter's type), binary bytes (used for `bytea`, so zero bytes survive), or NULL.
public enum PostgresBind: Sendable, Equatable {
    case null
    case text(String)
    case binary([UInt8])
}

/// A Swift value that can be bound as a query parameter.
public protocol PostgresEncodable: Sendable {
    var postgresBind: PostgresBind { get }
}

extension String: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(self) }
}
extension Substring: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self)) }
}
extension Int: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self)) }
}
extension Int32: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self)) }
}
extension Int64: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self)) }
}
extension Bool: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(self ? "t" : "f") }
}
extension Double: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self)) }
}
extension UUID: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(uuidString.lowercased()) }
}
extension Date: PostgresEncodable {
    /// Sent as an RFC 3339 timestamp in UTC with microseconds, what `timestamptz` parses exactly.
    public var postgresBind: PostgresBind { .text(PostgresTimestamp.format(self)) }
}
extension Array: PostgresEncodable where Element == UInt8 {
    public var postgresBind: PostgresBind { .binary(self) }
}
extension Data: PostgresEncodable {
    public var postgresBind: PostgresBind { .binary([UInt8](self)) }
}
extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresBind: PostgresBind {
        switch self {
        case .none: return .null
        case .some(let value): return value.postgresBind
        }
    }
}

/// A PostgreSQL array literal (`{"a","b",NULL}`) for `= ANY($1)` and `unnest($1::text[])`.
///
/// Encoded once, at construction, straight into UTF-8 bytes: batch statements bind arrays of
/// hundreds or thousands of values (receiver batches, module syncs), sometimes to several
/// statements, so this sits on hot paths.
public struct PostgresArray: PostgresEncodable {
    public let postgresBind: PostgresBind

    /// `text[]`, `jsonb[]`, `uuid[]`, … from text values (NULL for nil).
    public init(_ elements: [String?]) {
        var capacity = 2
        for value in elements { capacity += (value?.utf8.count ?? 4) + 3 }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(capacity + capacity / 16)
        bytes.append(UInt8(ascii: "{"))
        for (index, value) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let value else {
                bytes.append(contentsOf: "NULL".utf8)
                continue
            }
            bytes.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        postgresBind = .text(String(decoding: bytes, as: UTF8.self))
    }

    public init(strings: [String]) { self.init(strings.map(Optional.some)) }

    /// `bigint[]`, `int[]` from integers.
    public init<S: Sequence>(_ values: S) where S.Element: BinaryInteger {
        postgresBind = .text("{" + values.map { String($0) }.joined(separator: ",") + "}")
    }

    /// Integers with NULLs.
    public init(_ values: [Int?]) {
        postgresBind = .text("{" + values.map { $0.map(String.init) ?? "NULL" }.joined(separator: ",") + "}")
    }

    /// `boolean[]`.
    public init(_ flags: [Bool]) {
        postgresBind = .text("{" + flags.map { $0 ? "t" : "f" }.joined(separator: ",") + "}")
    }

    /// `bytea[]`: each element in bytea's hex form, `"\\x…"` (the array's backslash escaped).
    public init(bytea values: [[UInt8]]) {
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
        postgresBind = .text(text)
    }
}
