import Testing

@testable import IntakeSupport

@Suite("JSON string writer")
struct JSONStringTests {
    @Test("escapes quotes, backslashes and controls, keeps other text as UTF-8")
    func escapes() {
        #expect(JSONString.quoted("plain é 🚀") == "\"plain é 🚀\"")
        #expect(JSONString.quoted("q\" b\\ \n\r\t\u{08}\u{0C}") == #""q\" b\\ \n\r\t\b\f""#)
        #expect(JSONString.quoted("\u{0}\u{1F}\u{7F}") == #""\u0000\u001f\u007f""#)
        var bytes: [UInt8] = []
        JSONString.append("a\"\u{1}", to: &bytes)
        #expect(bytes == Array(#""a\"\u0001""#.utf8))
    }

    @Test("what it writes, the reader reads back as the same text")
    func roundTrip() throws {
        var text = "é \u{2028} \u{FEFF} 日本"
        for scalar in 0x01..<0x80 { text.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        let written = Array(JSONString.quoted(text).utf8)
        #expect(try JSONReader.parse(written) == .string(text))
        #expect(JSONReader.decodeString(written) == text)
    }
}
