import IntakeCrypto
import Testing

@Suite("SHA-256 and MD5")
struct DigestTests {
    // FIPS 180-2 appendix B / NIST CAVS examples.
    @Test func sha256OfAbc() {
        #expect(SHA256.hash("abc").hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func sha256Of448BitMessage() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(SHA256.hash(message).hexString == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func sha256OfMillionAsStreamed() {
        let hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(chunk) }
        #expect(hasher.finalize().hexString == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func sha256OfEmptyInputAllForms() {
        let expected = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        #expect(SHA256.hash([UInt8]()).hexString == expected)
        #expect(SHA256.hash("").hexString == expected)
        #expect(SHA256().finalize().hexString == expected)
    }

    @Test func streamingMatchesOneShotAcrossSplits() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let expected = SHA256.hash(data)
        for split in [0, 1, 63, 64, 65, 999] {
            let hasher = SHA256()
            hasher.update(data[..<split])
            data[split...].withUnsafeBytes { hasher.update($0) }
            #expect(hasher.finalize() == expected, "split at \(split)")
        }
    }

    @Test func resetStartsOver() {
        let hasher = SHA256()
        hasher.update("garbage")
        _ = hasher.finalize()
        hasher.reset()
        hasher.update("abc")
        #expect(hasher.finalize() == SHA256.hash("abc"))
    }

    // RFC 1321 appendix A.5.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        (
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a"
        ),
    ])
    func md5(input: String, expected: String) {
        #expect(MD5.hash(input).hexString == expected)
        let hasher = MD5()
        for byte in input.utf8 { hasher.update([byte]) }
        #expect(hasher.finalize().hexString == expected)
    }
}
