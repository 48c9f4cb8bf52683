import Foundation
import IntakeCore
import Testing
import IntakeSupport

@testable import IntakeHandlers

@Suite("JSON reader shared by the FHIR and Drupal strategies")
struct FHIRJSONNodeTests {
    static func parse(_ text: String) throws(JSONParseError) -> JSONNode {
        try JSONNode.parse(Array(text.utf8))
    }

    @Test("scalars, nesting and member order")
    func basics() throws {
        let node = try Self.parse(#" {"b": [true, false, null, -0.5e+3, "x"], "a": {"c": 1}} "#)
        #expect(node.objectValue?.keys == ["b", "a"])
        #expect(node["b"] == .array([.bool(true), .bool(false), .null, .number("-0.5e+3"), .string("x")]))
        #expect(node["a"]?["c"]?.integerValue == 1)
        #expect(node.serialized() == #"{"b":[true,false,null,-0.5e+3,"x"],"a":{"c":1}}"#)
    }

    @Test("escapes, surrogate pairs and non-ASCII text round-trip")
    func strings() throws {
        let node = try Self.parse(#"["a\"b\\c\/d\n\t\u00e9\ud83d\ude00", "héllo ✓"]"#)
        #expect(node.arrayValue?.first == .string("a\"b\\c/d\n\té😀"))
        #expect(node.arrayValue?.last == .string("héllo ✓"))
        let reparsed = try JSONNode.parse(node.serializedBytes())
        #expect(reparsed == node)
        #expect(JSONNode.string("\u{01}").serialized() == #""\u0001""#)
    }

    @Test("a repeated member name answers its last value, as jsonb does")
    func repeatedKey() throws {
        #expect(try Self.parse(#"{"k": 1, "k": 2}"#)["k"] == .number("2"))
    }

    // The handlers read bodies with the receiver's rules: what the receiver answers 202 parses
    // here, and what it refuses (a byte order mark, \u0000, a number jsonb cannot hold) is
    // refused here too rather than failing later in a jsonb insert.
    @Test("a UTF-8 byte-order mark is refused, as the receiver refuses it")
    func byteOrderMark() throws {
        #expect(throws: JSONParseError.self) { try JSONNode.parse([0xEF, 0xBB, 0xBF] + Array("[]".utf8)) }
    }

    @Test(
        "what jsonb cannot store is refused where it starts, as the receiver refuses it",
        arguments: [(#"{"a": "x\u0000"}"#, 8), (#"[1, 1e131072]"#, 4), (#"["\udc00"]"#, 2)])
    func unstorable(_ row: (String, Int)) {
        #expect(performing: { try Self.parse(row.0) }, throws: { error in
            (error as? JSONParseError)?.kind == .unstorable && (error as? JSONParseError)?.offset == row.1
        })
    }

    @Test(
        "malformed documents are refused with the byte offset",
        arguments: [
            ("", 0), ("{", 1), ("[1,]", 3), ("01", 1), ("1.", 2), ("-", 1), (#"{"a" 1}"#, 5), ("[1] x", 4),
            ("\"\u{01}\"", 1), (#""\x""#, 2), (#""\ud800""#, 1), ("tru", 0), ("{\"a\":1,}", 7), ("nul", 0),
        ])
    func malformed(_ row: (String, Int)) {
        #expect(throws: JSONParseError.self) { try Self.parse(row.0) }
        do {
            _ = try Self.parse(row.0)
        } catch {
            #expect(error.offset == row.1, "\(row.0): \(error)")
        }
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONNode.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test("nesting deeper than the limit is refused")
    func depth() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONParseError.self) { try Self.parse(deep) }
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect((try? Self.parse(fine)) != nil)
    }

    @Test("RFC 3339 timestamps parse and format exactly")
    func rfc3339() throws {
        #expect(RFC3339DateTime.parse("1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
        #expect(RFC3339DateTime.parse("2024-02-29T12:00:00.5+01:30") == Date(timeIntervalSince1970: 1_709_202_600.5))
        #expect(RFC3339DateTime.parse("2020-05-29T11:44:13.1882432-05:00") != nil)
        #expect(RFC3339DateTime.parse("2023-02-29T00:00:00Z") == nil)
        #expect(RFC3339DateTime.parse("2024-01-15T10:35:00") == nil)
        #expect(RFC3339DateTime.parse("2024-01-15") == nil)
        #expect(RFC3339DateTime.format(Date(timeIntervalSince1970: 1_709_202_600.5)) == "2024-02-29T10:30:00.500Z")
        #expect(RFC3339DateTime.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        #expect(RFC3339DateTime.isFullDate("1974-12-25") && !RFC3339DateTime.isFullDate("1974-12") && !RFC3339DateTime.isFullDate("1974-13-01"))
    }
}
