import Testing

@testable import IntakeHandlers

@Suite("Field rules")
struct FieldRuleTests {
    @Test(arguments: [
        ("12345678901", "12345678901"), ("12345-6789-01", "12345678901"), ("1234-5678-90", "01234567890"),
        ("12345-678-90", "12345067890"), ("12345-6789-0", "12345678900"), ("00002-3227-30", "00002322730"),
    ])
    func ndcFormsNormaliseTo542(input: String, expected: String) {
        #expect(NDC(input)?.description == expected)
    }

    @Test(arguments: ["1234567890", "123456789012", "1234-567-89", "12345-67-890", "12345-6789-0a", "12-3456-7890-1", "", "12345--678901"])
    func invalidNDCs(input: String) {
        #expect(NDC(input) == nil)
    }

    @Test func npiLuhnOverThe80840Prefix() {
        #expect(NPI.isValid("1234567893"))
        #expect(NPI.isValid("1245319599"))
        #expect(NPI.isValid("1003000126"))
        #expect(!NPI.isValid("1234567890"))
        #expect(!NPI.isValid("123456789"))
        #expect(!NPI.isValid("12345678931"))
        #expect(!NPI.isValid("12345678a3"))
    }

    @Test func calendarDates() {
        #expect(CivilDate(iso: "2024-02-29") != nil)
        #expect(CivilDate(iso: "2000-02-29") != nil)
        #expect(CivilDate(iso: "2023-02-29") == nil)
        #expect(CivilDate(iso: "1900-02-29") == nil)
        #expect(CivilDate(iso: "2024-04-31") == nil)
        #expect(CivilDate(iso: "2024-13-01") == nil)
        #expect(CivilDate(iso: "2024-1-01") == nil)
        #expect(CivilDate(iso: "0000-01-01") == nil)
        #expect(CivilDate(iso: "2024/01/01") == nil)
        #expect(CivilDate(daysSinceEpoch: 0).description == "1970-01-01")
        #expect(CivilDate(daysSinceEpoch: 19_782).description == "2024-02-29")
    }

    @Test(arguments: [
        "2024-01-15T10:30:00Z", "2024-01-15t10:30:00z", "2024-01-15 10:30:00+05:30", "2024-01-15T10:30:00.1-08:00",
        "2024-01-15T10:30:00.123456789+00:00", "2016-12-31T23:59:60Z", "2016-12-31T23:59:60.000Z", "2024-01-15T10:30:00+15:59",
    ])
    func validRFC3339(text: String) {
        #expect(rfc3339Problem(text, offset: .required) == nil)
    }

    @Test(arguments: [
        "2024-01-15T10:30:00", "2024-01-15", "2024-02-30T10:30:00Z", "2024-01-15T24:00:00Z", "2024-01-15T10:60:00Z",
        "2024-01-15T10:30:00.Z", "2024-01-15T10:30:00.1234567890Z", "2024-01-15T10:30:00+0530", "2024-01-15T10:30:00+16:00",
        "2024-01-15T10:30:00Zjunk", "2016-12-31T23:59:60.5Z", "2024-01-15X10:30:00Z",
    ])
    func invalidRFC3339(text: String) {
        #expect(rfc3339Problem(text, offset: .required) != nil)
    }

    @Test func naiveTimestampsAllowedWhereAsked() {
        #expect(rfc3339Problem("2024-01-15T10:30:00.123456", offset: .optional) == nil)
    }

    @Test(arguments: [
        "192.0.2.1", "0.0.0.0", "255.255.255.255", "::", "::1", "1::", "2001:db8::8a2e:370:7334",
        "2001:0db8:0000:0000:0000:ff00:0042:8329", "fe80::1", "::ffff:192.0.2.128", "64:ff9b::192.0.2.33",
        "1:2:3:4:5:6:7::", "1:2:3:4:5:6:1.2.3.4", "ABCD:EF01::",
    ])
    func validIPs(text: String) {
        #expect(IPAddress.isValid(text))
    }

    @Test(arguments: [
        "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4/24", ":::", "1:::2", "1::2::3", "12345::",
        "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "fe80::1%eth0", "[::1]", "::ffff:256.1.1.1", "g::1", "1:", ":1", "",
        "1:2:3:4:5:6:7:1.2.3.4",
    ])
    func invalidIPs(text: String) {
        #expect(!IPAddress.isValid(text))
    }

    @Test func decimalsAreCheckedWithoutConversion() throws {
        func info(_ text: String) -> DecimalText? {
            var text = text
            return text.withUTF8 { DecimalText(UnsafeRawBufferPointer($0)) }
        }
        #expect(info("12.50")?.scale == 2)
        #expect(info("0012.5")?.integerDigits == 2)
        #expect(info(".5")?.scale == 1)
        #expect(info("-0.00")?.isZero == true)
        #expect(info("1.234")?.scale == 3)
        for bad in ["", "-", "1.", "1e5", "1,5", "$5", "1.2.3", " 1"] { #expect(info(bad) == nil, "\(bad)") }
    }

    @Test func storableTextRejectsNULAndBrokenUTF8() {
        func check(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { ByteText.isStorableText($0) } }
        #expect(check(Array("plain ascii text, long enough for words".utf8)))
        #expect(check(Array("Zoë – ✓ 😀".utf8)))
        #expect(!check([0x61, 0x00, 0x62]))
        #expect(!check(Array("abcdefgh".utf8) + [0x00]))
        #expect(!check([0xC3]))
        #expect(!check([0xC0, 0x80]))
        #expect(!check([0xED, 0xA0, 0x80]))  // a surrogate
        #expect(!check([0xF4, 0x90, 0x80, 0x80]))  // beyond U+10FFFF
    }

    func rfc3339Problem(_ text: String, offset: RFC3339.Offset) -> String? {
        var text = text
        var hasOffset = false
        return text.withUTF8 { RFC3339.problem(UnsafeRawBufferPointer($0), offset: offset, hasOffset: &hasOffset) }
    }
}
