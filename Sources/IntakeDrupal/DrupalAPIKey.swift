/// A Drupal site's API key: `idk_` followed by 32 random bytes in unpadded base64url (47
/// characters in all). Only its SHA-256 (hex) is stored, in `ingest.drupal_sites.api_key_hash`,
/// with `keyPrefix` beside it so an operator can tell keys apart in `intakectl sites list`.
///
/// The SHA-256 function is passed in (IntakeCrypto's, in production) rather than reimplemented.
public struct DrupalAPIKey: Sendable {
    public static let marker = "idk_"
    /// The marker plus 8 characters: enough to recognise a key, far too little to guess it.
    public static let displayPrefixLength = 12

    /// The secret: shown once to the operator who creates the site, never stored or logged.
    public let plaintext: String

    public var keyPrefix: String { String(plaintext.prefix(Self.displayPrefixLength)) }

    /// Draws a new key from the system's cryptographic random source.
    public static func generate() -> DrupalAPIKey {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// Draws a new key; tests pass a seeded generator, production `SystemRandomNumberGenerator`.
    public static func generate(using generator: inout some RandomNumberGenerator) -> DrupalAPIKey {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for _ in 0..<4 {
            let word = generator.next() as UInt64
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> shift)) }
        }
        return DrupalAPIKey(plaintext: marker + base64URL(bytes))
    }

    /// Wraps a key presented by a site; nil when it is not shaped like one of ours, so a request
    /// with a malformed key is refused before any hashing or database lookup.
    public init?(presented text: String) {
        guard Self.isWellFormed(text) else { return nil }
        self.plaintext = text
    }

    private init(plaintext: String) {
        self.plaintext = plaintext
    }

    public static func isWellFormed(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == marker.utf8.count + 43, text.hasPrefix(marker) else { return false }
        return utf8.dropFirst(marker.utf8.count).allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x5F
        }
    }

    /// The value stored in and looked up by `api_key_hash`: lowercase hex of `sha256(plaintext)`.
    public func hashHex(using sha256: ([UInt8]) -> [UInt8]) -> String {
        Self.hex(sha256(Array(plaintext.utf8)))
    }

    /// Compares two hashes (or any two secrets) in time that depends only on their lengths.
    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for byte in chunk { value = value << 8 | UInt32(byte) }
            value <<= UInt32(8 * (3 - chunk.count))
            for position in 0...chunk.count {
                output.append(alphabet[Int((value >> UInt32(18 - 6 * position)) & 0x3F)])
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension DrupalAPIKey: CustomStringConvertible {
    /// Never the key itself, so a stray interpolation into a log line leaks nothing.
    public var description: String { "DrupalAPIKey(\(keyPrefix)…)" }
}
