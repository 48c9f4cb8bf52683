import IntakeCrypto
import Testing

struct HMACVector: Sendable, CustomTestStringConvertible {
    let name: String
    let key: [UInt8]
    let data: [UInt8]
    let expected: String
    let truncateTo: Int?
    var testDescription: String { name }
}

// RFC 4231 section 4.
let rfc4231: [HMACVector] = [
    HMACVector(
        name: "case 1", key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
        expected: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", truncateTo: nil),
    HMACVector(
        name: "case 2", key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
        expected: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", truncateTo: nil),
    HMACVector(
        name: "case 3", key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50),
        expected: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", truncateTo: nil),
    HMACVector(
        name: "case 4", key: Array(1...25), data: [UInt8](repeating: 0xcd, count: 50),
        expected: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", truncateTo: nil),
    HMACVector(
        name: "case 5 (truncated)", key: [UInt8](repeating: 0x0c, count: 20), data: Array("Test With Truncation".utf8),
        expected: "a3b6167473100ee06e0c796c2955552b", truncateTo: 16),
    HMACVector(
        name: "case 6", key: [UInt8](repeating: 0xaa, count: 131),
        data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
        expected: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", truncateTo: nil),
    HMACVector(
        name: "case 7", key: [UInt8](repeating: 0xaa, count: 131),
        data: Array(
            ("This is a test using a larger than block-size key and a larger than block-size data. "
                + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
        expected: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", truncateTo: nil),
]

@Suite("HMAC-SHA256")
struct HMACTests {
    @Test(arguments: rfc4231)
    func oneShot(_ vector: HMACVector) {
        let mac = HMAC.sha256(key: vector.key, data: vector.data)
        #expect(mac.prefix(vector.truncateTo ?? 32).hexString == vector.expected)
    }

    @Test(arguments: rfc4231)
    func streamed(_ vector: HMACVector) {
        let hmac = HMAC(sha256Key: vector.key)
        let middle = vector.data.count / 2
        hmac.update(vector.data[..<middle])
        hmac.update(vector.data[middle...])
        #expect(hmac.finalize().prefix(vector.truncateTo ?? 32).hexString == vector.expected)
    }

    @Test func stringDataMatchesBytes() {
        #expect(HMAC.sha256(key: Array("key".utf8), data: "The quick brown fox jumps over the lazy dog").hexString
            == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    }
}

@Suite("Secrets")
struct SecretsTests {
    @Test func constantTimeEqualsComparesContentAndLength() {
        #expect(constantTimeEquals(Array("secret".utf8), Array("secret".utf8)))
        #expect(!constantTimeEquals(Array("secret".utf8), Array("secreT".utf8)))
        #expect(!constantTimeEquals(Array("secret".utf8), Array("secrets".utf8)))
        #expect(constantTimeEquals([UInt8](), [UInt8]()))
    }

    @Test func secureRandomGivesRequestedLengthAndVaries() throws {
        let first = try SecureRandom.bytes(32)
        let second = try SecureRandom.bytes(32)
        #expect(first.count == 32)
        #expect(first != second)
        #expect(try SecureRandom.bytes(0).isEmpty)
    }
}
