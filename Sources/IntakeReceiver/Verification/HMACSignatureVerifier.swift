import IntakeCore
import IntakeCrypto
import NIOHTTP1

/// `hmac-sha256`: the HMAC-SHA256 of the raw body, in `header`, after an optional `prefix`
/// (GitHub: `X-Hub-Signature-256: sha256=<hex>`), hex or base64.
public struct HMACSignatureVerifier: WebhookVerifier {
    let header: String
    let prefix: String
    let encoding: SignatureEncoding
    let key: [UInt8]

    /// Throws ``WeakKeyMaterial`` for an empty or too-short secret: such a key proves nothing.
    public init(header: String, prefix: String = "", encoding: SignatureEncoding = .hex, secret: Secret) throws {
        try Secret.checkKeyMaterial(secret.bytes)
        self.header = header
        self.prefix = prefix
        self.encoding = encoding
        self.key = secret.bytes
    }

    public var credentialHeaders: [String] { [header] }

    public func verify(headers: HTTPHeaders, body: [UInt8]) async throws -> VerifiedSender {
        try verifySync(headers: headers, body: body)
    }

    func verifySync(headers: HTTPHeaders, body: [UInt8]) throws -> VerifiedSender {
        guard let value = headers.single(header) else { throw VerificationFailure("\(header) missing or repeated") }
        let text = value.trimmingASCIISpaces()
        // The prefix is part of the format: its absence is a malformed header, not a pass.
        guard text.utf8.starts(with: prefix.utf8) else { throw VerificationFailure("\(header) lacks its prefix") }
        let encoded = text.utf8.dropFirst(prefix.utf8.count)
        let presented: [UInt8]?
        switch encoding {
        case .hex: presented = Hex.decode(utf8: encoded)
        case .base64: presented = Base64.decode(utf8: Array(encoded))
        }
        guard let presented else { throw VerificationFailure("\(header) is not \(encoding.rawValue)") }
        let expected = HMAC.sha256(key: key, data: body)
        guard constantTimeEquals(expected, presented) else { throw VerificationFailure("signature mismatch") }
        return .source
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingASCIISpaces() -> Substring {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
