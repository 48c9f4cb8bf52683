/// A National Drug Code in its 11-digit 5-4-2 billing form, kept as a number so a validated
/// row carries no heap storage; `description` gives the 11 digits.
public struct NDC: Sendable, Hashable, CustomStringConvertible {
    /// The 11 digits read as one decimal number (leading zeros implied).
    public let value: UInt64

    public init?(_ text: String) {
        var text = text
        guard let ndc = text.withUTF8({ NDC(bytes: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = ndc
    }

    /// Accepts 11 digits, or hyphenated 5-4-2, 4-4-2, 5-3-2 and 5-4-1; the 10-digit forms get a
    /// zero in front of their short segment. Ten digits without hyphens are ambiguous: rejected.
    public init?(bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        if count == 11 {
            guard let number = ByteText.digits(bytes, 0, 11) else { return nil }
            value = UInt64(number)
            return
        }
        guard count == 12 || count == 13 else { return nil }
        var hyphens = (first: -1, second: -1)
        for i in 0..<count where bytes[i] == 0x2D {
            if hyphens.first < 0 {
                hyphens.first = i
            } else if hyphens.second < 0 {
                hyphens.second = i
            } else {
                return nil
            }
        }
        guard hyphens.second > 0 else { return nil }
        let lengths = (hyphens.first, hyphens.second - hyphens.first - 1, count - hyphens.second - 1)
        switch lengths {
        case (5, 4, 2), (4, 4, 2), (5, 3, 2), (5, 4, 1): break
        default: return nil
        }
        guard let labeler = ByteText.digits(bytes, 0, lengths.0),
            let product = ByteText.digits(bytes, hyphens.first + 1, lengths.1),
            let package = ByteText.digits(bytes, hyphens.second + 1, lengths.2)
        else { return nil }
        // Reading each segment as a number and placing it at its 5-4-2 width is the zero padding.
        value = UInt64(labeler) * 1_000_000 + UInt64(product) * 100 + UInt64(package)
    }

    public var description: String {
        var digits = [UInt8](repeating: 0x30, count: 11)
        write(into: &digits, at: 0)
        return String(decoding: digits, as: UTF8.self)
    }

    func write(into bytes: inout [UInt8], at offset: Int) {
        var rest = value
        for i in stride(from: 10, through: 0, by: -1) {
            bytes[offset + i] = UInt8(0x30 + rest % 10)
            rest /= 10
        }
    }
}

/// National Provider Identifier check (CMS: Luhn over "80840" followed by the first 9 digits).
public enum NPI {
    public static func isValid(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isValid(UnsafeRawBufferPointer($0)) }
    }

    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == 10 else { return false }
        // 24 is the Luhn contribution of the "80840" prefix.
        var sum = 24
        for i in 0..<9 {
            let digit = bytes[i] &- 0x30
            guard digit < 10 else { return false }
            if i % 2 == 0 {  // every other digit from the right of the 9, starting with the last
                let doubled = Int(digit) * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += Int(digit)
            }
        }
        let check = bytes[9] &- 0x30
        guard check < 10 else { return false }
        return (10 - sum % 10) % 10 == Int(check)
    }
}
