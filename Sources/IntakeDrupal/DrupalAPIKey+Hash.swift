import IntakeCrypto

extension DrupalAPIKey {
    /// `api_key_hash` as the receiver's `PostgresAPIKeyStore` looks it up: lowercase hex of
    /// IntakeCrypto's SHA-256 over the key's UTF-8 bytes.
    public var storedHash: String { hashHex(using: { SHA256.hash($0) }) }
}
