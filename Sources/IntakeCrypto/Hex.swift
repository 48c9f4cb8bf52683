/// Lower-case hexadecimal, as AWS signatures and webhook signature headers use it.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
            var index = 0
            for byte in bytes {
                buffer[index] = digits[Int(byte >> 4)]
                buffer[index + 1] = digits[Int(byte & 0x0f)]
                index += 2
            }
            return index
        }
    }

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        withBytes(bytes) { encode($0) }
    }

    /// Decodes upper- or lower-case hex. Returns nil for an odd length or any non-hex character.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(utf8: Array(text.utf8))
    }

    public static func decode(utf8 text: some Collection<UInt8>) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var result = [UInt8]()
        result.reserveCapacity(text.count / 2)
        var high: UInt8? = nil
        for character in text {
            guard let nibble = value(of: character) else { return nil }
            if let upper = high {
                result.append(upper << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return result
    }

    @inline(__always)
    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Sequence<UInt8> {
    /// Lower-case hex of these bytes.
    public var hexString: String { Hex.encode(self) }
}
