import IntakeCore
import IntakeCrypto
import NIOHTTP1

/// `bearer`: `Authorization: Bearer <token>` against one configured token, compared in
/// constant time.
public struct BearerVerifier: WebhookVerifier {
    let token: [UInt8]

    /// Throws ``WeakKeyMaterial`` for an empty or too-short token.
    public init(token: Secret) throws {
        try Secret.checkKeyMaterial(token.bytes)
        self.token = token.bytes
    }

    public var credentialHeaders: [String] { ["authorization"] }

    public func verify(headers: HTTPHeaders, body: [UInt8]) async throws -> VerifiedSender {
        try verifySync(headers: headers)
    }

    func verifySync(headers: HTTPHeaders) throws -> VerifiedSender {
        guard let value = headers.single("authorization") else {
            throw VerificationFailure("Authorization missing or repeated")
        }
        let text = value.trimmingASCIISpaces()
        // The scheme is case-insensitive (RFC 9110 §11.1); the token is not.
        guard text.count > 7, text.prefix(7).lowercased() == "bearer " else {
            throw VerificationFailure("Authorization is not a bearer token")
        }
        let presented = text.dropFirst(7).drop { $0 == " " }
        guard constantTimeEquals(Array(presented.utf8), token), !token.isEmpty else {
            throw VerificationFailure("bearer token mismatch")
        }
        return .source
    }
}
