import Foundation
import IntakeSupport

/// An exact `numeric`, kept as PostgreSQL's text form: never rounded through `Double`.
public struct PostgresNumeric: PostgresEncodable, PostgresDecodable, Hashable, CustomStringConvertible {
    public let text: String

    /// Accepts an optional sign, digits and at most one decimal point.
    public init?(_ text: String) {
        var digits = 0
        var dots = 0
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "."): dots += 1
            case UInt8(ascii: "-"), UInt8(ascii: "+"): if index != 0 { return nil }
            default: return nil
            }
        }
        guard digits > 0, dots <= 1 else { return nil }
        self.text = text
    }

    public init(postgresText bytes: UnsafeBufferPointer<UInt8>) throws {
        self.text = String(decoding: bytes, as: UTF8.self)
    }

    public var decimal: Decimal? { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) }
    public var postgresBind: PostgresBind { .text(text) }
    public var description: String { text }
}

/// A calendar `date` without time zone.
public struct PostgresDate: PostgresEncodable, PostgresDecodable, Hashable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public init(postgresText bytes: UnsafeBufferPointer<UInt8>) throws {
        // ISO DateStyle (set at connect): YYYY-MM-DD
        guard bytes.count == 10, let y = parseDigits(bytes, 0, 4), let m = parseDigits(bytes, 5, 2),
            let d = parseDigits(bytes, 8, 2)
        else {
            throw PostgresError(kind: .client, message: "cannot decode date from \(String(decoding: bytes, as: UTF8.self))")
        }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public var postgresBind: PostgresBind { .text(description) }
}

/// A `json`/`jsonb` value as its text.
public struct PostgresJSON: PostgresEncodable, PostgresDecodable, Hashable {
    public let text: String

    public init(text: String) { self.text = text }

    /// Encodes any `Encodable` value with `JSONEncoder`.
    public init<T: Encodable>(encoding value: T) throws {
        let data = try JSONEncoder().encode(value)
        self.text = String(decoding: data, as: UTF8.self)
    }

    /// Serialises a JSON object graph made of Foundation types.
    public init(object: Any) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
        self.text = String(decoding: data, as: UTF8.self)
    }

    public init(postgresText bytes: UnsafeBufferPointer<UInt8>) throws {
        self.text = String(decoding: bytes, as: UTF8.self)
    }

    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    /// The value as Foundation objects (`[String: Any]`, `[Any]`, …).
    public func object() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    public var postgresBind: PostgresBind { .text(text) }
}

/// Formats and parses `timestamptz` text. Connections run with `TimeZone=UTC` and
/// `DateStyle=ISO`, so the server always answers `YYYY-MM-DD HH:MM:SS[.ffffff]+00`.
public enum PostgresTimestamp {
    public static func format(_ date: Date) -> String {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        var seconds = Int((micros / 1_000_000).rounded(.down))
        let fraction = Int(micros - Double(seconds) * 1_000_000)
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        seconds -= days * 86_400
        let (y, m, d) = GregorianCalendar.date(daysSinceEpoch: days)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):"
            + "\(pad(seconds % 60, 2)).\(pad(fraction, 6))Z"
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count >= 19, let y = parseDigits(bytes, 0, 4), let mo = parseDigits(bytes, 5, 2),
            let d = parseDigits(bytes, 8, 2), let h = parseDigits(bytes, 11, 2), let mi = parseDigits(bytes, 14, 2),
            let s = parseDigits(bytes, 17, 2)
        else { return nil }
        var index = 19
        var micros = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 100_000
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                micros += Int(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < bytes.count {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"),
                let oh = parseDigits(bytes, index + 1, 2)
            else { return nil }
            var om = 0
            if index + 5 < bytes.count + 1, index + 3 < bytes.count, bytes[index + 3] == UInt8(ascii: ":") {
                om = parseDigits(bytes, index + 4, 2) ?? 0
            }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        }
        let days = GregorianCalendar.daysSinceEpoch(year: y, month: mo, day: d)
        let total = days * 86_400 + h * 3600 + mi * 60 + s - offsetSeconds
        return Date(timeIntervalSince1970: Double(total) + Double(micros) / 1_000_000)
    }
}

@inline(__always)
func parseDigits(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
    guard start + count <= bytes.count else { return nil }
    var value = 0
    for i in start..<(start + count) {
        let b = bytes[i]
        guard b >= 48, b <= 57 else { return nil }
        value = value * 10 + Int(b - 48)
    }
    return value
}
