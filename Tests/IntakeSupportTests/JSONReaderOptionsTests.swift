import Testing

@testable import IntakeSupport

@Suite("JSON reader options")
struct JSONReaderOptionsTests {
    func error(_ text: String, _ options: JSONReadOptions = .storable) -> JSONParseError? {
        do {
            try JSONReader.validate(Array(text.utf8), options: options)
            return nil
        } catch {
            return error
        }
    }

    @Test("maxDepth counts containers; one level more is tooDeep at its bracket")
    func maxDepth() {
        let options = JSONReadOptions(maxDepth: 3)
        #expect(error("[[[1]]]", options) == nil)
        #expect(error(#"{"a":{"b":[1]}}"#, options) == nil)
        let deep = error("[[[[1]]]]", options)
        #expect(deep?.kind == .tooDeep)
        #expect(deep?.offset == 3)
        #expect(error(String(repeating: "[", count: 256) + String(repeating: "]", count: 256)) == nil)
        #expect(error(String(repeating: "[", count: 257) + String(repeating: "]", count: 257))?.kind == .tooDeep)
    }

    @Test("a byte order mark is refused at byte 0 or skipped, as the options say")
    func byteOrderMark() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"id": 7}"#.utf8)
        #expect(throws: JSONParseError(.malformed, offset: 0, reason: "a byte order mark is not JSON (RFC 8259 §8.1)"))
        {
            try JSONReader.validate(bytes)
        }
        let skipping = JSONReadOptions(byteOrderMark: .skip)
        let members = try JSONReader.topLevelMembers(bytes, options: skipping)
        #expect(members == [JSONMember(key: "id", kind: .number, range: 10..<11)])
        #expect(try JSONReader.parse(bytes, options: skipping)["id"] == .number("7"))
        // Only at the start: anywhere else it is a stray character.
        #expect(throws: JSONParseError.self) {
            try JSONReader.validate([0x20, 0xEF, 0xBB, 0xBF, 0x31], options: skipping)
        }
    }

    @Test("storable refuses \\u0000 and numbers beyond numeric; without it only lone surrogates are refused")
    func storable() throws {
        let relaxed = JSONReadOptions(requireStorable: false)
        for text in [#"["a\u0000"]"#, "[1e131072]", "[1e-16384]", "[0e99999999999999999999]"] {
            #expect(error(text)?.kind == .unstorable, "\(text)")
            #expect(error(text, relaxed) == nil, "\(text)")
        }
        #expect(try JSONReader.parse(Array(#""a\u0000b""#.utf8), options: relaxed) == .string("a\u{0}b"))
        for text in [#"["\ud800"]"#, #"["\udc00"]"#, #"["\ud800\u0041"]"#] {
            #expect(error(text)?.kind == .unstorable, "\(text)")
            #expect(error(text, relaxed)?.kind == .unstorable, "\(text)")
            #expect(error(text, relaxed)?.offset == 2, "\(text)")
        }
    }

    @Test("top-level members: decoded keys, kinds and raw value bytes, filtered, in order")
    func topLevelMembers() throws {
        let text = #"{"id": "a\"b", "n": -1.5e3, "o": {"id": 2}, "l": [1], "t": true, "z": null, "\u0069d": 9}"#
        let bytes = Array(text.utf8)
        let members = try #require(try JSONReader.topLevelMembers(bytes))
        #expect(members.map(\.key) == ["id", "n", "o", "l", "t", "z", "id"])
        #expect(members.map(\.kind) == [.string, .number, .object, .array, .bool, .null, .number])
        #expect(
            members.map { String(decoding: bytes[$0.range], as: UTF8.self) } == [
                #""a\"b""#, "-1.5e3", #"{"id": 2}"#, "[1]", "true", "null", "9",
            ])
        #expect(JSONReader.decodeString(bytes[members[0].range]) == "a\"b")
        let ids = try JSONReader.topLevelMembers(bytes, capturing: { $0 == "id" })
        #expect(ids?.map(\.kind) == [.string, .number])
        #expect(try JSONReader.topLevelMembers(Array("[1]".utf8)) == nil)
        #expect(try JSONReader.topLevelMembers(Array("{}".utf8)) == [])
        // The whole document is still checked, after the object too.
        #expect(throws: JSONParseError.self) { try JSONReader.topLevelMembers(Array(#"{"a": [1,]}"#.utf8)) }
        #expect(throws: JSONParseError.self) { try JSONReader.topLevelMembers(Array(#"{"a": 1} x"#.utf8)) }
    }

    @Test("the tree keeps numbers as written, member order and repeated keys")
    func tree() throws {
        let node = try JSONReader.parse(
            Array(#" {"b": [true, null, 1e400, "\u00e9\ud83d\ude00"], "a": {}, "a": 2} "#.utf8))
        #expect(node.objectValue?.keys == ["b", "a", "a"])
        #expect(node["b"] == .array([.bool(true), .null, .number("1e400"), .string("é😀")]))
        #expect(node["a"] == .number("2"))
    }

    @Test(
        "malformed input names the problem and its byte",
        arguments: [
            ("", 0, "unexpected end of input"), ("{\"a\" 1}", 5, "expected ':' after member name"),
            ("[1,]", 3, "unexpected character ']'"), ("01", 1, "a number may not have a leading zero"),
            ("\"\\x\"", 2, "invalid escape sequence"), ("[\"\u{01}\"]", 2, "unescaped control character in a string"),
            ("[1] x", 4, "unexpected data after the JSON value"),
        ])
    func malformed(_ row: (String, Int, String)) {
        #expect(error(row.0) == JSONParseError(.malformed, offset: row.1, reason: row.2))
    }

    @Test("invalid UTF-8 is refused where it is")
    func utf8() {
        for bytes: [UInt8] in [
            [0x22, 0xC3, 0x28, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0xFF],
        ] {
            #expect(throws: JSONParseError.self) { try JSONReader.validate(bytes) }
        }
        #expect(throws: Never.self) { try JSONReader.validate(Array("\"日本語 🚀\"".utf8)) }
    }
}
