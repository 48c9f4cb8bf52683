/// IP address syntax as PostgreSQL's `inet` accepts it for a single host address: dotted-quad
/// IPv4 (no leading zeros, which some readers take as octal) and IPv6 with `::` compression and
/// an embedded IPv4 tail (`::ffff:192.0.2.1`). No prefix length, zone id or brackets.
public enum IPAddress {
    public static func isValid(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isValid(UnsafeRawBufferPointer($0)) }
    }

    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty, bytes.count <= 45 else { return false }
        if bytes.contains(0x3A) { return isIPv6(bytes) }
        return isIPv4(bytes, 0, bytes.count)
    }

    static func isIPv4(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        var octets = 0
        var i = start
        while true {
            let octetStart = i
            while i < end && ByteText.isDigit(bytes[i]) { i += 1 }
            let length = i - octetStart
            guard (1...3).contains(length), length == 1 || bytes[octetStart] != 0x30,
                let value = ByteText.digits(bytes, octetStart, length), value <= 255
            else { return false }
            octets += 1
            if i == end { return octets == 4 }
            guard bytes[i] == 0x2E, octets < 4 else { return false }
            i += 1
        }
    }

    static func isIPv6(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let end = bytes.count
        var groups = 0
        var sawCompression = false
        var i = 0
        if bytes[0] == 0x3A {
            guard end > 1, bytes[1] == 0x3A else { return false }
            sawCompression = true
            i = 2
            if i == end { return true }  // "::"
        }
        while i < end {
            let groupStart = i
            while i < end && isHex(bytes[i]) { i += 1 }
            if i < end && bytes[i] == 0x2E {
                // An IPv4 tail takes the last two groups.
                guard isIPv4(bytes, groupStart, end) else { return false }
                groups += 2
                i = end
                break
            }
            let length = i - groupStart
            guard (1...4).contains(length) else { return false }
            groups += 1
            if i == end { break }
            guard bytes[i] == 0x3A else { return false }
            i += 1
            if i < end && bytes[i] == 0x3A {
                guard !sawCompression else { return false }
                sawCompression = true
                i += 1
                if i == end { break }
            } else if i == end {
                return false  // a trailing single colon
            }
        }
        return sawCompression ? groups <= 7 : groups == 8
    }

    @inline(__always)
    static func isHex(_ byte: UInt8) -> Bool {
        ByteText.isDigit(byte) || (0x61...0x66).contains(byte | 0x20)
    }
}
