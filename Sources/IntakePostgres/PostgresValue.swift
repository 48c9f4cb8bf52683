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

/// A PostgreSQL array literal (`{a,b,"c d"}`) for `= ANY($1)` and `unnest($1::text[])`.
public struct PostgresArray: PostgresEncodable {
    public let elements: [String?]

    public init(_ elements: [String?]) { self.elements = elements }
    public init<S: Sequence>(_ values: S) where S.Element: BinaryInteger {
        self.elements = values.map { String($0) }
    }
    public init(strings: [String]) { self.elements = strings }

    public var postgresBind: PostgresBind {
        var out = "{"
        out.reserveCapacity(elements.count * 8 + 2)
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(",") }
            guard let element else {
                out.append("NULL")
                continue
            }
            out.append("\"")
            for ch in element.unicodeScalars {
                if ch == "\"" || ch == "\\" { out.append("\\") }
                out.unicodeScalars.append(ch)
            }
            out.append("\"")
        }
        out.append("}")
        return .text(out)
    }
}
