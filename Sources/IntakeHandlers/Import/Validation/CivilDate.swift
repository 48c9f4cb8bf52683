import IntakeSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A calendar date without time zone (proleptic Gregorian), as PostgreSQL's `date`.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// A valid date, or nil (month 1–12, day within the month, leap years, year 1–9999).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), GregorianCalendar.isValid(year: year, month: month, day: day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `yyyy-mm-dd`.
    public init?(iso bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D,
            let year = ByteText.digits(bytes, 0, 4), let month = ByteText.digits(bytes, 5, 2),
            let day = ByteText.digits(bytes, 8, 2)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public init?(iso text: String) {
        var text = text
        guard let date = text.withUTF8({ CivilDate(iso: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = date
    }

    /// The date `days` after 1970-01-01.
    public init(daysSinceEpoch days: Int) {
        (year, month, day) = GregorianCalendar.date(daysSinceEpoch: days)
    }

    /// Today in UTC, from the system clock.
    public static func todayUTC() -> CivilDate {
        CivilDate(daysSinceEpoch: Int(time(nil)) / 86_400)
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// `yyyy-mm-dd`.
    public var description: String {
        var bytes = [UInt8](repeating: 0, count: 10)
        write(into: &bytes, at: 0)
        return String(decoding: bytes, as: UTF8.self)
    }

    func write(into bytes: inout [UInt8], at offset: Int) {
        var year = self.year
        for i in stride(from: 3, through: 0, by: -1) {
            bytes[offset + i] = UInt8(0x30 + year % 10)
            year /= 10
        }
        bytes[offset + 4] = 0x2D
        bytes[offset + 5] = UInt8(0x30 + month / 10)
        bytes[offset + 6] = UInt8(0x30 + month % 10)
        bytes[offset + 7] = 0x2D
        bytes[offset + 8] = UInt8(0x30 + day / 10)
        bytes[offset + 9] = UInt8(0x30 + day % 10)
    }
}

/// RFC 3339 timestamps, checked field by field so PostgreSQL's `timestamptz` input never rejects
/// one (which would fail a whole COPY chunk).
enum RFC3339 {
    enum Offset { case required, optional }

    /// Accepts `yyyy-mm-ddThh:mm:ss[.fraction](Z|±hh:mm)`; `t`/`z` lower case and a space for
    /// `T` are allowed (RFC 3339 §5.6 note). Returns a message describing the first problem, or nil.
    /// With `.optional`, a timestamp without offset is accepted (`hasOffset` false).
    static func problem(
        _ bytes: UnsafeRawBufferPointer, offset: Offset, hasOffset: inout Bool
    ) -> String? {
        let count = bytes.count
        guard count >= 19 else { return "expected yyyy-mm-ddThh:mm:ss with an offset" }
        guard CivilDate(iso: UnsafeRawBufferPointer(rebasing: bytes[0..<10])) != nil else {
            return "the date part is not a valid calendar date"
        }
        let separator = bytes[10]
        guard separator == 0x54 || separator == 0x74 || separator == 0x20 else {
            return "expected 'T' between date and time"
        }
        guard bytes[13] == 0x3A, bytes[16] == 0x3A, let hour = ByteText.digits(bytes, 11, 2),
            let minute = ByteText.digits(bytes, 14, 2), let second = ByteText.digits(bytes, 17, 2)
        else { return "expected the time as hh:mm:ss" }
        guard hour <= 23, minute <= 59, second <= 60 else { return "time of day out of range" }
        var i = 19
        if i < count && bytes[i] == 0x2E {
            i += 1
            let fractionStart = i
            var fractionIsZero = true
            while i < count && ByteText.isDigit(bytes[i]) {
                if bytes[i] != 0x30 { fractionIsZero = false }
                i += 1
            }
            guard i > fractionStart, i - fractionStart <= 9 else {
                return "fractional seconds need 1 to 9 digits"
            }
            // PostgreSQL takes a leap second (:60) but not a fraction of one.
            guard second < 60 || fractionIsZero else { return "a leap second cannot have a fraction" }
        }
        if i == count {
            hasOffset = false
            return offset == .optional ? nil : "missing UTC offset (Z or ±hh:mm)"
        }
        hasOffset = true
        let zone = bytes[i]
        if zone == 0x5A || zone == 0x7A {
            return i + 1 == count ? nil : "unexpected text after 'Z'"
        }
        guard zone == 0x2B || zone == 0x2D, count - i == 6, bytes[i + 3] == 0x3A,
            let offsetHour = ByteText.digits(bytes, i + 1, 2),
            let offsetMinute = ByteText.digits(bytes, i + 4, 2)
        else { return "expected the offset as Z or ±hh:mm" }
        // PostgreSQL refuses displacements beyond 15:59 (real ones stay within ±14:00).
        guard offsetHour <= 15, offsetMinute <= 59 else { return "UTC offset beyond ±15:59" }
        return nil
    }
}
