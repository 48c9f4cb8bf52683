import IntakeCore
import IntakeCrypto
import NIOHTTP1

/// Standard Webhooks (standardwebhooks.com): HMAC-SHA256 over `{id}.{timestamp}.{body}` with
/// the base64 key of a `whsec_` secret; `webhook-signature` lists one or more space-separated
/// `v1,<base64>` signatures so a sender can rotate keys. Svix's `svix-*` header names are the
/// same scheme and are accepted when the `webhook-*` ones are absent.
public struct StandardWebhooksVerifier: WebhookVerifier {
    let key: [UInt8]
    let tolerance: Int
    let clock: UnixClock

    /// Fails when the secret is not base64 (after an optional `whsec_`), or decodes to key
    /// material that is empty or too short (``WeakKeyMaterial``): `whsec_` alone is no key.
    /// Configuration loading has checked both already.
    public init(secret: Secret, toleranceSeconds: Int, clock: UnixClock = .system) throws {
        var text = secret.value[...]
        if text.hasPrefix("whsec_") { text = text.dropFirst(6) }
        guard let key = Base64.decode(text) else {
            throw VerificationFailure("the standard-webhooks secret is not base64")
        }
        try Secret.checkKeyMaterial(key, text: false)
        self.key = key
        self.tolerance = toleranceSeconds
        self.clock = clock
    }

    public var credentialHeaders: [String] { ["webhook-signature", "svix-signature"] }

    public func verify(headers: HTTPHeaders, body: [UInt8]) async throws -> VerifiedSender {
        try verifySync(headers: headers, body: body)
    }

    func verifySync(headers: HTTPHeaders, body: [UInt8]) throws -> VerifiedSender {
        let prefix = headers.contains(name: "webhook-id") ? "webhook" : "svix"
        guard let id = headers.single("\(prefix)-id"), !id.isEmpty,
            let timestampText = headers.single("\(prefix)-timestamp"),
            let signatures = headers.single("\(prefix)-signature")
        else { throw VerificationFailure("standard-webhooks headers missing or repeated") }
        guard let timestamp = parseUnixSeconds(timestampText.trimmingASCIISpaces()) else {
            throw VerificationFailure("webhook-timestamp is not an integer")
        }
        guard isFresh(timestamp, now: clock.now, tolerance: tolerance) else {
            throw VerificationFailure("webhook-timestamp outside tolerance")
        }
        let mac = HMAC(sha256Key: key)
        mac.update(id)
        mac.update(".")
        mac.update(timestampText.trimmingASCIISpaces().utf8)
        mac.update(".")
        body.withUnsafeBytes { mac.update($0) }
        let expected = mac.finalize()
        // Compare against every v1 signature without stopping early, so timing does not say
        // which one matched.
        var matched = false
        for entry in signatures.split(separator: " ", omittingEmptySubsequences: true) {
            guard entry.hasPrefix("v1,"), let presented = Base64.decode(entry.dropFirst(3)) else { continue }
            if constantTimeEquals(expected, presented) { matched = true }
        }
        guard matched else { throw VerificationFailure("no matching v1 signature") }
        return .source
    }
}
