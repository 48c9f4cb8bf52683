/// Base64 (RFC 4648): the standard alphabet with padding, and the URL-safe alphabet
/// (`-`, `_`), unpadded by default. Decoding is strict: characters outside the alphabet,
/// whitespace, misplaced padding and non-zero trailing bits are rejected.
public enum Base64 {
    public enum Alphabet: Sendable {
        case standard
        case urlSafe
    }

    private static let standardTable: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlSafeTable: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let standardReverse = reverse(standardTable)
    private static let urlSafeReverse = reverse(urlSafeTable)

    private static func reverse(_ table: [UInt8]) -> [UInt8] {
        var reversed = [UInt8](repeating: 0xff, count: 256)
        for (index, character) in table.enumerated() { reversed[Int(character)] = UInt8(index) }
        return reversed
    }

    /// - Parameter padded: defaults to true for `.standard` and false for `.urlSafe`.
    public static func encode(
        _ bytes: UnsafeRawBufferPointer, alphabet: Alphabet = .standard, padded: Bool? = nil
    ) -> String {
        let table = alphabet == .standard ? standardTable : urlSafeTable
        let pad = padded ?? (alphabet == .standard)
        let fullGroups = bytes.count / 3
        let remainder = bytes.count % 3
        let capacity = fullGroups * 4 + (remainder == 0 ? 0 : (pad ? 4 : remainder + 1))
        return String(unsafeUninitializedCapacity: capacity) { out in
            var input = 0
            var output = 0
            for _ in 0..<fullGroups {
                let value = UInt32(bytes[input]) << 16 | UInt32(bytes[input + 1]) << 8 | UInt32(bytes[input + 2])
                out[output] = table[Int(value >> 18 & 0x3f)]
                out[output + 1] = table[Int(value >> 12 & 0x3f)]
                out[output + 2] = table[Int(value >> 6 & 0x3f)]
                out[output + 3] = table[Int(value & 0x3f)]
                input += 3
                output += 4
            }
            if remainder > 0 {
                let second = remainder == 2 ? UInt32(bytes[input + 1]) : 0
                let value = UInt32(bytes[input]) << 16 | second << 8
                out[output] = table[Int(value >> 18 & 0x3f)]
                out[output + 1] = table[Int(value >> 12 & 0x3f)]
                output += 2
                if remainder == 2 {
                    out[output] = table[Int(value >> 6 & 0x3f)]
                    output += 1
                } else if pad {
                    out[output] = UInt8(ascii: "=")
                    output += 1
                }
                if pad {
                    out[output] = UInt8(ascii: "=")
                    output += 1
                }
            }
            return output
        }
    }

    public static func encode(
        _ bytes: some Sequence<UInt8>, alphabet: Alphabet = .standard, padded: Bool? = nil
    ) -> String {
        withBytes(bytes) { encode($0, alphabet: alphabet, padded: padded) }
    }

    /// Decodes base64 text. With `.standard` padding is required; with `.urlSafe` it is optional.
    /// Returns nil for anything that is not exactly valid.
    public static func decode(_ text: some StringProtocol, alphabet: Alphabet = .standard) -> [UInt8]? {
        decode(utf8: Array(text.utf8), alphabet: alphabet)
    }

    public static func decode(utf8 text: [UInt8], alphabet: Alphabet = .standard) -> [UInt8]? {
        let reverse = alphabet == .standard ? standardReverse : urlSafeReverse
        var end = text.count
        var padding = 0
        while end > 0, text[end - 1] == UInt8(ascii: "="), padding < 2 {
            end -= 1
            padding += 1
        }
        if padding > 0 || alphabet == .standard {
            guard text.count % 4 == 0 else { return nil }
        }
        let remainder = end % 4
        guard remainder != 1 else { return nil }
        if padding > 0, (4 - remainder) % 4 != padding { return nil }

        var result = [UInt8]()
        result.reserveCapacity(end / 4 * 3 + 2)
        var index = 0
        while index + 4 <= end {
            let a = reverse[Int(text[index])], b = reverse[Int(text[index + 1])]
            let c = reverse[Int(text[index + 2])], d = reverse[Int(text[index + 3])]
            guard (a | b | c | d) & 0xc0 == 0 else { return nil }  // 0xff marks a foreign character
            let value = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
            result.append(UInt8(value >> 16 & 0xff))
            result.append(UInt8(value >> 8 & 0xff))
            result.append(UInt8(value & 0xff))
            index += 4
        }
        if remainder >= 2 {
            let a = reverse[Int(text[index])], b = reverse[Int(text[index + 1])]
            let c = remainder == 3 ? reverse[Int(text[index + 2])] : 0
            guard (a | b | c) & 0xc0 == 0 else { return nil }
            let value = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
            result.append(UInt8(value >> 16 & 0xff))
            if remainder == 3 {
                result.append(UInt8(value >> 8 & 0xff))
                guard value & 0xff == 0 else { return nil }
            } else {
                guard value & 0xffff == 0 else { return nil }
            }
        }
        return result
    }
}
