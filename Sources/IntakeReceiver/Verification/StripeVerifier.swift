import IntakeCore
import IntakeCrypto
import NIOHTTP1

/// Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=…]`, each `v1` the
/// HMAC-SHA256 of `{t}.{body}` keyed with the endpoint secret as text. Several `v1` appear
/// while a secret is being rolled; any may match. `v0` (test mode's legacy scheme) is ignored.
public struct StripeVerifier: WebhookVerifier {
    let key: [UInt8]
    let tolerance: Int
    let clock: UnixClock

    /// Throws ``WeakKeyMaterial`` for an empty or too-short secret: such a key proves nothing.
    public init(secret: Secret, toleranceSeconds: Int, clock: UnixClock = .system) throws {
        try Secret.checkKeyMaterial(secret.bytes)
        self.key = secret.bytes
        self.tolerance = toleranceSeconds
        self.clock = clock
    }

    public var credentialHeaders: [String] { ["stripe-signature"] }

    public func verify(headers: HTTPHeaders, body: [UInt8]) async throws -> VerifiedSender {
        try verifySync(headers: headers, body: body)
    }

    func verifySync(headers: HTTPHeaders, body: [UInt8]) throws -> VerifiedSender {
        guard let header = headers.single("stripe-signature") else {
            throw VerificationFailure("Stripe-Signature missing or repeated")
        }
        var timestampText: Substring?
        var signatures: [[UInt8]] = []
        for item in header.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let name = pair[0].trimmingCharacters(in: " ")
            let value = pair[1].trimmingCharacters(in: " ")
            if name == "t" {
                guard timestampText == nil else { throw VerificationFailure("Stripe-Signature has two timestamps") }
                timestampText = value
            } else if name == "v1", let bytes = Hex.decode(value) {
                signatures.append(bytes)
            }
        }
        guard let timestampText, let timestamp = parseUnixSeconds(timestampText) else {
            throw VerificationFailure("Stripe-Signature has no valid timestamp")
        }
        guard !signatures.isEmpty else { throw VerificationFailure("Stripe-Signature has no v1 signature") }
        guard isFresh(timestamp, now: clock.now, tolerance: tolerance) else {
            throw VerificationFailure("Stripe-Signature timestamp outside tolerance")
        }
        let mac = HMAC(sha256Key: key)
        mac.update(timestampText.utf8)
        mac.update(".")
        body.withUnsafeBytes { mac.update($0) }
        let expected = mac.finalize()
        var matched = false
        for presented in signatures where constantTimeEquals(expected, presented) { matched = true }
        guard matched else { throw VerificationFailure("no matching v1 signature") }
        return .source
    }
}

extension Substring {
    func trimmingCharacters(in character: Character) -> Substring {
        var slice = self
        while slice.first == character { slice = slice.dropFirst() }
        while slice.last == character { slice = slice.dropLast() }
        return slice
    }
}
