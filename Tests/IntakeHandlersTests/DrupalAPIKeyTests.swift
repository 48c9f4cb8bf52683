import Testing

@testable import IntakeDrupal

@Suite("Drupal API keys")
struct DrupalAPIKeyTests {
    /// A deterministic generator so a key's shape can be checked exactly.
    struct CountingGenerator: RandomNumberGenerator {
        var state: UInt64 = 0
        mutating func next() -> UInt64 {
            state &+= 0x0101_0101_0101_0101
            return state
        }
    }

    @Test("a generated key is idk_ plus 43 base64url characters (32 bytes)")
    func shape() throws {
        var generator = CountingGenerator()
        let key = DrupalAPIKey.generate(using: &generator)
        #expect(key.plaintext.hasPrefix("idk_"))
        #expect(key.plaintext.utf8.count == 47)
        #expect(DrupalAPIKey.isWellFormed(key.plaintext))
        #expect(key.keyPrefix == String(key.plaintext.prefix(12)))
        #expect(DrupalAPIKey(presented: key.plaintext)?.plaintext == key.plaintext)
    }

    @Test("two system-random keys differ")
    func randomKeysDiffer() {
        #expect(DrupalAPIKey.generate().plaintext != DrupalAPIKey.generate().plaintext)
    }

    @Test("base64url matches RFC 4648 test vectors, unpadded")
    func base64URL() {
        #expect(DrupalAPIKey.base64URL(Array("f".utf8)) == "Zg")
        #expect(DrupalAPIKey.base64URL(Array("fo".utf8)) == "Zm8")
        #expect(DrupalAPIKey.base64URL(Array("foo".utf8)) == "Zm9v")
        #expect(DrupalAPIKey.base64URL(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(DrupalAPIKey.base64URL([0xFB, 0xFF]) == "-_8")
    }

    @Test("the stored hash is hex of the injected digest over the key's bytes")
    func hashing() throws {
        let key = try #require(DrupalAPIKey(presented: "idk_" + String(repeating: "A", count: 43)))
        var seen: [UInt8] = []
        let hex = key.hashHex { bytes in
            seen = bytes
            return [0x00, 0xAB, 0xFF]
        }
        #expect(seen == Array(key.plaintext.utf8))
        #expect(hex == "00abff")
    }

    @Test("malformed keys are refused before any lookup")
    func malformed() {
        #expect(DrupalAPIKey(presented: "") == nil)
        #expect(DrupalAPIKey(presented: "idk_short") == nil)
        #expect(DrupalAPIKey(presented: "xyz_" + String(repeating: "A", count: 43)) == nil)
        #expect(DrupalAPIKey(presented: "idk_" + String(repeating: "+", count: 43)) == nil)
    }

    @Test("the description never shows the key")
    func description() {
        let key = DrupalAPIKey.generate()
        #expect(!"\(key)".contains(key.plaintext))
        #expect("\(key)".contains(key.keyPrefix))
    }

    @Test("constant-time comparison")
    func comparison() {
        #expect(DrupalAPIKey.constantTimeEquals("abc", "abc"))
        #expect(!DrupalAPIKey.constantTimeEquals("abc", "abd"))
        #expect(!DrupalAPIKey.constantTimeEquals("abc", "abcd"))
    }
}
