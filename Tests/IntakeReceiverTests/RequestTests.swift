import IntakeCrypto
import IntakeSupport
import NIOHTTP1
import Testing

@testable import IntakeReceiver

@Suite("JSON body check and id")
struct JSONBodyTests {
    func scan(_ text: String) throws -> String? { try IdempotencyKey.jsonID(of: Array(text.utf8)) }

    func isMalformed(_ text: String) -> Bool {
        do {
            _ = try IdempotencyKey.jsonID(of: Array(text.utf8))
            return false
        } catch {
            return true
        }
    }

    @Test func findsTheTopLevelID() throws {
        #expect(try scan(#"{"a": {"id": "inner"}, "id": "evt_1", "b": [1, 2.5e-3, true, null]}"#) == "evt_1")
        #expect(try scan(#"{"id": 12345}"#) == "12345")
        #expect(try scan(#"{"id": "a\"b\u00e9\ud83d\ude00"}"#) == "a\"bé😀")
        #expect(try scan(#"{"id": {"nested": 1}}"#) == nil)
        #expect(try scan(#"[{"id": "in-array"}]"#) == nil)
        #expect(try scan(#"  "just a string"  "#) == nil)
        #expect(try scan("{\"id\": \"caf\u{e9}\"}") == "café")
    }

    @Test func rejectsMalformedDocuments() {
        for text in [
            "", "{", "{\"a\" 1}", "{\"a\": 1,}", "[1,]", "01", "1.", "-", "tru", "{\"a\": 1} x",
            "\"unterminated", "\"bad \\x escape\"", "\"raw\ncontrol\"", "{'single': 1}", "NaN", "[1 2]",
        ] {
            #expect(isMalformed(text), "\(text) should be malformed")
        }
    }

    @Test func rejectsInvalidUTF8AndExcessiveDepth() {
        #expect(throws: JSONParseError.self) { try IdempotencyKey.jsonID(of: [0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParseError.self) { try IdempotencyKey.jsonID(of: [0x22, 0xED, 0xA0, 0x80, 0x22]) }
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(performing: { try IdempotencyKey.jsonID(of: Array(deep.utf8)) }, throws: { ($0 as? JSONParseError)?.kind == .tooDeep })
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: Never.self) { try IdempotencyKey.jsonID(of: Array(fine.utf8)) }
    }
}

/// The limits below were read off PostgreSQL 15 (`select '…'::jsonb`); the check must refuse
/// exactly what jsonb refuses, or a 202 delivery dead-letters in its handler.
@Suite("JSON body check: what jsonb stores")
struct JSONBodyStorableTests {
    func unstorable(_ text: String) -> Int? {
        do {
            _ = try IdempotencyKey.jsonID(of: Array(text.utf8))
            return nil
        } catch {
            return error.kind == .unstorable ? error.offset : nil
        }
    }

    @Test func refusesNULAndUnpairedSurrogateEscapesWhereTheyStart() {
        #expect(unstorable(#""\u0000""#) == 1)
        #expect(unstorable(#"{"id": "a\u0000"}"#) == 9)
        #expect(unstorable(#"{"k\u0000": 1}"#) == 3)
        #expect(unstorable(#"["\ud800"]"#) == 2)
        #expect(unstorable(#""\udc00""#) == 1)
        #expect(unstorable(#""\ud800\u0041""#) == 1)
        #expect(unstorable(#""\ud800x""#) == 1)
        #expect(unstorable(#""ok \ud83d\ude00 \\u0000 \u0001""#) == nil)
    }

    @Test func refusesNumbersOutsideNumericRange() {
        let overflowing = [
            "1e131072", "10e131071", "-1e131072", "1e-16384", "1.0e-16383", "0e-16384", "0.0e-16383",
            "0e1073741823", "0e-1073741822", "0e99999999999999999999", "1" + String(repeating: "0", count: 131_072),
            "0." + String(repeating: "0", count: 16_384),
        ]
        for number in overflowing {
            #expect(unstorable("[1, \(number)]") == 4, "\(number.prefix(30)) should be refused")
        }
        let storable = [
            "1e400", "-1e-400", "1e131071", "9.99e131071", "0.1e131072", "0.01e131073", "1e-16383", "12e-16382",
            "0e131072", "0e1073741822", "0." + String(repeating: "0", count: 16_383),
        ]
        for number in storable {
            #expect(unstorable("[1, \(number)]") == nil, "\(number.prefix(30)) should be accepted")
            #expect(throws: Never.self) { try IdempotencyKey.jsonID(of: Array("[1, \(number)]".utf8)) }
        }
    }
}

@Suite("Idempotency key")
struct IdempotencyKeyTests {
    let body = Array(#"{"id": "evt_9"}"#.utf8)

    @Test func prefersTheConfiguredHeaderThenWebhookIDThenJSONThenBodyHash() {
        let all = HTTPHeaders([("X-GitHub-Delivery", "gh-1"), ("webhook-id", "msg_1")])
        #expect(IdempotencyKey.resolve(idHeader: "X-GitHub-Delivery", headers: all, jsonID: "evt_9", body: body) == "gh-1")
        #expect(IdempotencyKey.resolve(idHeader: "X-Other", headers: all, jsonID: "evt_9", body: body) == "msg_1")
        #expect(IdempotencyKey.resolve(idHeader: nil, headers: HTTPHeaders(), jsonID: "evt_9", body: body) == "evt_9")
        let hashed = IdempotencyKey.resolve(idHeader: nil, headers: HTTPHeaders([("webhook-id", "  ")]), jsonID: nil, body: body)
        #expect(hashed == "sha256:" + Hex.encode(SHA256.hash(body)))
    }

    @Test func storesOverlongOrNULKeysAsTheirHash() {
        let long = String(repeating: "k", count: 500)
        let key = IdempotencyKey.resolve(idHeader: nil, headers: HTTPHeaders(), jsonID: long, body: body)
        #expect(key == "sha256:" + Hex.encode(SHA256.hash(Array(long.utf8))))
        #expect(IdempotencyKey.resolve(idHeader: nil, headers: HTTPHeaders(), jsonID: "a\u{0}b", body: body).hasPrefix("sha256:"))
    }
}

@Suite("Stored headers")
struct StoredHeadersTests {
    @Test func dropsCredentialsAndSpoofedReceiverHeaders() throws {
        let headers = HTTPHeaders([
            ("Content-Type", "application/json"), ("X-Hub-Signature-256", "sha256=abc"), ("Authorization", "Bearer t"),
            ("X-Custom-Sig", "s"), ("X-API-Key", "idk_secret"), ("Cookie", "a=b"), ("X-Intake-Site-Id", "999"),
            ("X-GitHub-Event", "push"), ("Accept", "a"), ("accept", "b"),
        ])
        let json = StoredHeaders.json(headers, dropping: ["X-Custom-Sig"], sender: .source)
        #expect(json == #"{"content-type":"application/json","x-github-event":"push","accept":"a, b"}"#)
    }

    @Test func recordsTheVerifiedSiteAndEscapes() {
        let headers = HTTPHeaders([("X-Note", "say \"hi\"\\\t")])
        let json = StoredHeaders.json(headers, dropping: [], sender: .site(id: 42, name: "shop \"one\""))
        #expect(json == #"{"x-note":"say \"hi\"\\\t","x-intake-site-id":"42","x-intake-site-name":"shop \"one\""}"#)
    }

    @Test func recognisesJSONContentTypes() {
        #expect(ContentType.isJSON("application/json"))
        #expect(ContentType.isJSON("Application/JSON; charset=utf-8"))
        #expect(ContentType.isJSON("application/fhir+json"))
        #expect(ContentType.isJSON("application/cloudevents+json; charset=utf-8"))
        #expect(!ContentType.isJSON("text/plain"))
        #expect(!ContentType.isJSON("application/x-www-form-urlencoded"))
        #expect(!ContentType.isJSON("+json"))
        #expect(!ContentType.isJSON(nil))
    }
}
