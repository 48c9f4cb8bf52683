import IntakeCore
import IntakeCrypto
import NIOHTTP1
import Testing

@testable import IntakeReceiver

private func headers(_ pairs: [(String, String)]) -> HTTPHeaders { HTTPHeaders(pairs) }
private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

private func rejects(_ verifier: any WebhookVerifier, _ headers: HTTPHeaders, _ body: [UInt8]) async -> Bool {
    do {
        _ = try await verifier.verify(headers: headers, body: body)
        return false
    } catch is VerificationFailure {
        return true
    } catch {
        return false
    }
}

@Suite("hmac-sha256")
struct HMACSignatureVerifierTests {
    // GitHub's documented example for X-Hub-Signature-256.
    let github: HMACSignatureVerifier
    init() throws {
        github = try HMACSignatureVerifier(
            header: "X-Hub-Signature-256", prefix: "sha256=", encoding: .hex, secret: Secret("It's a Secret to Everybody"))
    }
    let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

    @Test func acceptsGitHubsPublishedExample() async throws {
        let sender = try await github.verify(headers: headers([("X-Hub-Signature-256", signature)]), body: bytes("Hello, World!"))
        #expect(sender == .source)
    }

    @Test func acceptsUppercaseHexAndHeaderNameInAnyCase() async throws {
        let upper = "sha256=" + signature.dropFirst(7).uppercased()
        _ = try await github.verify(headers: headers([("x-hub-signature-256", upper)]), body: bytes("Hello, World!"))
    }

    @Test func acceptsBase64Encoding() async throws {
        let verifier = try HMACSignatureVerifier(
            header: "X-Signature", encoding: .base64, secret: Secret("It's a Secret to Everybody"))
        let sender = try await verifier.verify(
            headers: headers([("X-Signature", "dXEH6g6yUJ/CESIczphLijdXC211hsIsRvQ3nIsEPhc=")]), body: bytes("Hello, World!"))
        #expect(sender == .source)
    }

    @Test func rejectsTamperedBody() async {
        #expect(await rejects(github, headers([("X-Hub-Signature-256", signature)]), bytes("Hello, World?")))
    }

    @Test func rejectsWrongSecret() async throws {
        let other = try HMACSignatureVerifier(
            header: "X-Hub-Signature-256", prefix: "sha256=", secret: Secret("another secret, as long"))
        #expect(await rejects(other, headers([("X-Hub-Signature-256", signature)]), bytes("Hello, World!")))
    }

    @Test func rejectsMissingHeaderMissingPrefixAndGarbage() async {
        #expect(await rejects(github, headers([]), bytes("Hello, World!")))
        #expect(await rejects(github, headers([("X-Hub-Signature-256", String(signature.dropFirst(7)))]), bytes("Hello, World!")))
        #expect(await rejects(github, headers([("X-Hub-Signature-256", "sha256=zz")]), bytes("Hello, World!")))
        #expect(await rejects(github, headers([("X-Hub-Signature-256", "sha256=")]), bytes("Hello, World!")))
    }

    @Test func rejectsARepeatedHeader() async {
        let repeated = headers([("X-Hub-Signature-256", signature), ("X-Hub-Signature-256", signature)])
        #expect(await rejects(github, repeated, bytes("Hello, World!")))
    }
}

@Suite("standard-webhooks")
struct StandardWebhooksVerifierTests {
    // The test vector published with the Standard Webhooks reference libraries.
    static let secret = Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp: Int64 = 1_614_265_330
    static let body = bytes(#"{"test": 2432232314}"#)
    static let signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    func verifier(now: Int64 = timestamp, secret: Secret = secret) throws -> StandardWebhooksVerifier {
        try StandardWebhooksVerifier(secret: secret, toleranceSeconds: 300, clock: .fixed(now))
    }

    func signed(id: String = id, timestamp: Int64 = timestamp, signature: String = signature) -> HTTPHeaders {
        headers([("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signature)])
    }

    @Test func acceptsThePublishedVector() async throws {
        #expect(try await verifier().verify(headers: signed(), body: Self.body) == .source)
    }

    @Test func acceptsASecretWithoutThePrefix() async throws {
        let bare = try verifier(secret: Secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        #expect(try await bare.verify(headers: signed(), body: Self.body) == .source)
    }

    @Test func acceptsAnyOfSeveralSignaturesForKeyRotation() async throws {
        let rotated = "v1,Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE= v1a,ignored " + Self.signature
        #expect(try await verifier().verify(headers: signed(signature: rotated), body: Self.body) == .source)
    }

    @Test func acceptsSvixHeaderNames() async throws {
        let svix = headers([
            ("svix-id", Self.id), ("svix-timestamp", String(Self.timestamp)), ("svix-signature", Self.signature),
        ])
        #expect(try await verifier().verify(headers: svix, body: Self.body) == .source)
    }

    @Test func acceptsTimestampsWithinToleranceBothWays() async throws {
        _ = try await verifier(now: Self.timestamp + 300).verify(headers: signed(), body: Self.body)
        _ = try await verifier(now: Self.timestamp - 300).verify(headers: signed(), body: Self.body)
    }

    @Test func rejectsStaleAndFutureTimestamps() async throws {
        #expect(await rejects(try verifier(now: Self.timestamp + 301), signed(), Self.body))
        #expect(await rejects(try verifier(now: Self.timestamp - 301), signed(), Self.body))
    }

    @Test func rejectsTamperedBodyAndWrongSecret() async throws {
        #expect(await rejects(try verifier(), signed(), bytes(#"{"test": 2432232315}"#)))
        let wrong = try verifier(secret: Secret("whsec_" + Base64.encode(Array(repeating: UInt8(7), count: 24))))
        #expect(await rejects(wrong, signed(), Self.body))
    }

    @Test func rejectsASignatureMadeForAnotherMessageID() async throws {
        #expect(await rejects(try verifier(), signed(id: "msg_another"), Self.body))
    }

    @Test func rejectsAShiftedTimestampEvenWithinTolerance() async throws {
        #expect(await rejects(try verifier(), signed(timestamp: Self.timestamp + 1), Self.body))
    }

    @Test func rejectsMissingHeadersAndOtherVersions() async throws {
        let verifier = try verifier()
        #expect(await rejects(verifier, headers([("webhook-id", Self.id), ("webhook-signature", Self.signature)]), Self.body))
        #expect(await rejects(verifier, headers([("webhook-id", Self.id), ("webhook-timestamp", "1614265330")]), Self.body))
        #expect(await rejects(verifier, signed(signature: "v2," + Self.signature.dropFirst(3)), Self.body))
        #expect(await rejects(verifier, signed(signature: ""), Self.body))
        let fractional = headers([
            ("webhook-id", Self.id), ("webhook-timestamp", "1614265330.0"), ("webhook-signature", Self.signature),
        ])
        #expect(await rejects(verifier, fractional, Self.body))
    }

    @Test func refusesASecretThatIsNotBase64() {
        #expect(throws: VerificationFailure.self) {
            try StandardWebhooksVerifier(secret: Secret("whsec_!!!"), toleranceSeconds: 300)
        }
    }
}

@Suite("stripe")
struct StripeVerifierTests {
    // Computed independently (Python's hmac) over "1614265330." + body with the secret as text.
    static let secret = Secret("whsec_test_secret_1234")
    static let timestamp: Int64 = 1_614_265_330
    static let body = bytes(#"{"id": "evt_1", "object": "event"}"#)
    static let v1 = "6fd8c7d6c001359e59bfa29620f8d90f1347a0a53d001aa5d7b58cd1a870173d"

    func verifier(now: Int64 = timestamp, secret: Secret = secret) throws -> StripeVerifier {
        try StripeVerifier(secret: secret, toleranceSeconds: 300, clock: .fixed(now))
    }

    func signed(_ value: String) -> HTTPHeaders { headers([("Stripe-Signature", value)]) }

    @Test func acceptsAStripeFormatSignature() async throws {
        #expect(try await verifier().verify(headers: signed("t=1614265330,v1=\(Self.v1)"), body: Self.body) == .source)
    }

    @Test func acceptsAnyV1DuringSecretRollAndIgnoresV0() async throws {
        let header = "t=1614265330,v1=\(String(repeating: "ab", count: 32)),v0=deadbeef,v1=\(Self.v1)"
        #expect(try await verifier().verify(headers: signed(header), body: Self.body) == .source)
    }

    @Test func rejectsTamperedBodyWrongSecretAndOtherTimestamp() async throws {
        #expect(await rejects(try verifier(), signed("t=1614265330,v1=\(Self.v1)"), bytes(#"{"id": "evt_2", "object": "event"}"#)))
        #expect(await rejects(try verifier(secret: Secret("whsec_other_secret_5678")), signed("t=1614265330,v1=\(Self.v1)"), Self.body))
        #expect(await rejects(try verifier(), signed("t=1614265331,v1=\(Self.v1)"), Self.body))
    }

    @Test func rejectsStaleAndFutureTimestamps() async throws {
        #expect(await rejects(try verifier(now: Self.timestamp + 301), signed("t=1614265330,v1=\(Self.v1)"), Self.body))
        #expect(await rejects(try verifier(now: Self.timestamp - 301), signed("t=1614265330,v1=\(Self.v1)"), Self.body))
    }

    @Test func rejectsMalformedHeaders() async throws {
        #expect(await rejects(try verifier(), headers([]), Self.body))
        #expect(await rejects(try verifier(), signed("v1=\(Self.v1)"), Self.body))
        #expect(await rejects(try verifier(), signed("t=1614265330"), Self.body))
        #expect(await rejects(try verifier(), signed("t=1614265330,t=1614265330,v1=\(Self.v1)"), Self.body))
        #expect(await rejects(try verifier(), signed("t=-5,v1=\(Self.v1)"), Self.body))
    }
}

@Suite("bearer and api-key")
struct TokenVerifierTests {
    @Test func bearerAcceptsTheTokenWithAnySchemeCase() async throws {
        let verifier = try BearerVerifier(token: Secret("s3cr3t-bearer-token"))
        #expect(try await verifier.verify(headers: headers([("Authorization", "Bearer s3cr3t-bearer-token")]), body: []) == .source)
        #expect(try await verifier.verify(headers: headers([("authorization", "bearer s3cr3t-bearer-token")]), body: []) == .source)
    }

    @Test func bearerRejectsWrongMissingAndOtherSchemes() async throws {
        let verifier = try BearerVerifier(token: Secret("s3cr3t-bearer-token"))
        #expect(await rejects(verifier, headers([("Authorization", "Bearer s3cr3t-bearer-tokeN")]), []))
        #expect(await rejects(verifier, headers([("Authorization", "Bearer s3cr3t-bearer-token-and-more")]), []))
        #expect(await rejects(verifier, headers([("Authorization", "Basic s3cr3t-bearer-token")]), []))
        #expect(await rejects(verifier, headers([("Authorization", "Bearer ")]), []))
        #expect(await rejects(verifier, headers([]), []))
    }

    @Test func staticAPIKeyComparesTheWholeKey() async throws {
        let verifier = try APIKeyVerifier(header: "X-API-Key", key: Secret("live-api-key-123"))
        #expect(try await verifier.verify(headers: headers([("x-api-key", "live-api-key-123")]), body: []) == .staticKey)
        #expect(await rejects(verifier, headers([("X-API-Key", "live-api-key-124")]), []))
        #expect(await rejects(verifier, headers([("X-API-Key", "live-api-key-12")]), []))
        #expect(await rejects(verifier, headers([]), []))
    }

    struct FakeStore: APIKeyStore {
        let sites: [String: APIKeySite]
        func lookup(keyHash: String) async throws -> APIKeySite? { sites[keyHash] }
    }

    @Test func storedAPIKeysAreLookedUpByTheirSHA256() async throws {
        let hash = Hex.encode(SHA256.hash(Array("idk_live".utf8)))
        let verifier = APIKeyVerifier(header: "X-API-Key", store: FakeStore(sites: [hash: APIKeySite(id: 7, name: "shop")]))
        #expect(try await verifier.verify(headers: headers([("X-API-Key", "idk_live")]), body: []) == .site(id: 7, name: "shop"))
        #expect(await rejects(verifier, headers([("X-API-Key", "idk_revoked")]), []))
    }

    struct Down: Error {}
    struct DownStore: APIKeyStore {
        func lookup(keyHash: String) async throws -> APIKeySite? { throw Down() }
    }

    @Test func storeErrorsAreNotAVerdict() async {
        let verifier = APIKeyVerifier(header: "X-API-Key", store: DownStore())
        await #expect(throws: Down.self) {
            try await verifier.verify(headers: headers([("X-API-Key", "idk_live")]), body: [])
        }
    }
}

/// A verifier never starts with key material that proves nothing: an empty `${VAR}` behind a
/// `whsec_` prefix, whitespace, or a value too short to be a secret.
@Suite("weak key material")
struct WeakKeyMaterialTests {
    static let weak = ["", "   ", "\t\n", "short", "fifteen-bytes!!", " padded-secret-value ", "secret-with-newline\n"]

    @Test func everyVerifierRefusesWeakKeys() {
        for text in Self.weak {
            let secret = Secret(text)
            #expect(throws: WeakKeyMaterial.self) { try HMACSignatureVerifier(header: "X-Sig", secret: secret) }
            #expect(throws: WeakKeyMaterial.self) { try StripeVerifier(secret: secret, toleranceSeconds: 300) }
            #expect(throws: WeakKeyMaterial.self) { try BearerVerifier(token: secret) }
            #expect(throws: WeakKeyMaterial.self) { try APIKeyVerifier(header: "X-API-Key", key: secret) }
        }
    }

    @Test func standardWebhooksChecksTheDecodedKey() throws {
        // "whsec_" alone, and base64 of 8 bytes: valid text, no usable key.
        for text in ["whsec_", "whsec_AAAAAAAAAAA=", "AAAAAAAAAAA="] {
            #expect(throws: WeakKeyMaterial.self) { try StandardWebhooksVerifier(secret: Secret(text), toleranceSeconds: 300) }
        }
        _ = try StandardWebhooksVerifier(secret: Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), toleranceSeconds: 300)
    }

    @Test func aRequestSignedWithAnEmptyKeyIsRefusedBecauseNoVerifierExists() throws {
        // What an empty key would have accepted: HMAC under the empty key. The source cannot be built.
        let settings = VerifySettings.hmacSHA256(header: "X-Sig", prefix: "", encoding: .hex, secret: Secret(""))
        #expect(throws: WeakKeyMaterial.self) { try settings.makeVerifier(keyStore: nil) }
        _ = try HMACSignatureVerifier(header: "X-Sig", secret: Secret("sixteen-bytes-ok"))
    }
}
