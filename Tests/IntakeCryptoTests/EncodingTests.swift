import IntakeCrypto
import Testing

@Suite("Hex and Base64")
struct EncodingTests {
    @Test func hexRoundTrip() throws {
        let bytes: [UInt8] = Array(0...255)
        let text = Hex.encode(bytes)
        #expect(text.count == 512)
        #expect(text.hasPrefix("000102"))
        #expect(try #require(Hex.decode(text)) == bytes)
        #expect(Hex.decode("DEADbeef") == [0xde, 0xad, 0xbe, 0xef])
    }

    @Test(arguments: ["abc", "zz", "0g", " 00", "0x00"])
    func hexRejectsInvalid(_ text: String) {
        #expect(Hex.decode(text) == nil)
    }

    // RFC 4648 section 10.
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
    func base64Vectors(plain: String, encoded: String) throws {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(try #require(Base64.decode(encoded)) == Array(plain.utf8))
    }

    @Test func base64RoundTripAllLengths() throws {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 251) }
            for alphabet in [Base64.Alphabet.standard, .urlSafe] {
                let text = Base64.encode(bytes, alphabet: alphabet)
                #expect(try #require(Base64.decode(text, alphabet: alphabet)) == bytes)
            }
        }
    }

    @Test func urlSafeUsesDashAndUnderscoreWithoutPadding() throws {
        let bytes: [UInt8] = [0xfb, 0xff, 0xfe]
        #expect(Base64.encode(bytes) == "+//+")
        #expect(Base64.encode(bytes, alphabet: .urlSafe) == "-__-")
        #expect(Base64.encode([0xff], alphabet: .urlSafe) == "_w")
        #expect(try #require(Base64.decode("_w", alphabet: .urlSafe)) == [0xff])
        #expect(try #require(Base64.decode("_w==", alphabet: .urlSafe)) == [0xff])
    }

    @Test(arguments: ["Zg", "Zg=", "Z===", "Zm9v YmFy", "Zm9v\n", "Zh==", "Zm9=", "-__-", "Zg==Zg==", "====", "A"])
    func base64RejectsInvalidStandard(_ text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test(arguments: ["+//+", "Zg=", "A", "Zh"])
    func base64RejectsInvalidURLSafe(_ text: String) {
        #expect(Base64.decode(text, alphabet: .urlSafe) == nil)
    }
}
