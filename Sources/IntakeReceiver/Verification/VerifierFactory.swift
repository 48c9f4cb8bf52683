import IntakeCore

extension VerifySettings {
    /// The verifier a source's `verify:` settings describe. `keyStore` serves `api-key`
    /// sources without a fixed key.
    public func makeVerifier(keyStore: (any APIKeyStore)?, clock: UnixClock = .system) throws -> any WebhookVerifier {
        switch self {
        case .hmacSHA256(let header, let prefix, let encoding, let secret):
            return try HMACSignatureVerifier(header: header, prefix: prefix, encoding: encoding, secret: secret)
        case .standardWebhooks(let secret, let tolerance):
            return try StandardWebhooksVerifier(secret: secret, toleranceSeconds: tolerance, clock: clock)
        case .stripe(let secret, let tolerance):
            return try StripeVerifier(secret: secret, toleranceSeconds: tolerance, clock: clock)
        case .apiKey(let header, let secret?):
            return try APIKeyVerifier(header: header, key: secret)
        case .apiKey(let header, nil):
            guard let keyStore else { throw VerificationFailure("api-key source needs a key store") }
            return APIKeyVerifier(header: header, store: keyStore)
        case .bearer(let token):
            return try BearerVerifier(token: token)
        }
    }
}
