import IntakeCore
import IntakeCrypto
import NIOHTTP1

/// `api-key`: a key in `header` (default `X-API-Key`). With a configured secret, that one key
/// is accepted (constant-time compare); otherwise the key's SHA-256 is looked up in the
/// ``APIKeyStore`` (the registered Drupal sites), so keys added or revoked with
/// `intakectl sites` take effect without a restart.
public struct APIKeyVerifier: WebhookVerifier {
    let header: String
    let staticKey: [UInt8]?
    let store: (any APIKeyStore)?

    /// One fixed key.
    /// Throws ``WeakKeyMaterial`` for an empty or too-short key.
    public init(header: String, key: Secret) throws {
        try Secret.checkKeyMaterial(key.bytes)
        self.header = header
        self.staticKey = key.bytes
        self.store = nil
    }

    /// Keys looked up by hash.
    public init(header: String, store: any APIKeyStore) {
        self.header = header
        self.staticKey = nil
        self.store = store
    }

    public var credentialHeaders: [String] { [header] }

    public func verify(headers: HTTPHeaders, body: [UInt8]) async throws -> VerifiedSender {
        guard let value = headers.single(header) else { throw VerificationFailure("\(header) missing or repeated") }
        let presented = Array(value.trimmingASCIISpaces().utf8)
        guard !presented.isEmpty, presented.count <= 512 else { throw VerificationFailure("\(header) empty or too long") }
        if let staticKey {
            guard constantTimeEquals(presented, staticKey) else { throw VerificationFailure("API key mismatch") }
            return .staticKey
        }
        guard let store else { throw VerificationFailure("no API key store") }
        // Looking up the hash, not the key, keeps the key out of the database and makes the
        // index lookup's timing say nothing about the key.
        let hash = Hex.encode(SHA256.hash(presented))
        guard let site = try await store.lookup(keyHash: hash) else { throw VerificationFailure("unknown or revoked API key") }
        return .site(id: site.id, name: site.name)
    }
}
