import Foundation
import Yams

extension IntakeConfiguration {
    static let sourceKeys: Set<String> = [
        "verify", "id", "handler", "rate_limit", "max_body_bytes", "event_type", "content_type",
    ]
    static let verifyKeys: Set<String> = ["type", "header", "prefix", "encoding", "secret", "token", "tolerance_seconds"]

    /// The keys each verifier reads; any other key under `verify:` is a mistake worth reporting.
    static func verifyKeys(for type: VerifierType) -> Set<String> {
        switch type {
        case .hmacSHA256: ["type", "header", "prefix", "encoding", "secret"]
        case .standardWebhooks, .stripe: ["type", "secret", "tolerance_seconds"]
        case .apiKey: ["type", "header", "secret"]
        case .bearer: ["type", "token"]
        }
    }

    static func decodeSource(
        name: String,
        _ table: ConfigTable?,
        at path: String,
        receiver: ReceiverSettings,
        reader: ConfigReader
    ) -> SourceSettings? {
        guard let table else {
            reader.report(path, "is empty: a source needs at least verify and handler")
            return nil
        }
        let verify: VerifySettings?
        if let verifyTable = table.table("verify", keys: Self.verifyKeys) {
            verify = Self.decodeVerify(verifyTable)
        } else {
            // Fail closed: an unverified source would accept anyone's deliveries.
            reader.report(
                table.path("verify"),
                "is required: a source without verification does not start (type: one of "
                    + VerifierType.allCases.map(\.rawValue).joined(separator: ", ") + ")"
            )
            verify = nil
        }
        let handler = table.requiredString("handler", what: "the handler name, such as webhook.generic")
        var idHeader: String? = nil
        if let id = table.table("id", keys: ["header"]) {
            idHeader = id.requiredString("header", what: "the request header carrying the idempotency key")
        }
        let rateLimit = table.table("rate_limit", keys: ["requests", "per_seconds", "key"]).map {
            Self.decodeRateLimit($0, verifierType: verify?.type)
        }
        let maxBodyBytes = table.int("max_body_bytes", default: receiver.maxBodyBytes, in: 1...(1 << 30))
        var eventType: EventTypeLocation? = nil
        if let location = table.table("event_type", keys: ["header", "json_field"]) {
            let header = location.string("header").flatMap { $0.isEmpty ? nil : $0 }
            let field = location.string("json_field").flatMap { $0.isEmpty ? nil : $0 }
            switch (header, field) {
            case (let header?, nil): eventType = .header(header)
            case (nil, let field?): eventType = .jsonField(field)
            default: reader.report(location.path, "needs exactly one of header or json_field")
            }
        }
        let contentType = table.choice("content_type", default: SourceContentType.json, what: "content type")
        guard let verify, let handler else { return nil }
        return SourceSettings(
            name: name, verify: verify, idHeader: idHeader, handler: handler, rateLimit: rateLimit,
            maxBodyBytes: maxBodyBytes, eventType: eventType, contentType: contentType
        )
    }

    private static func decodeVerify(_ table: ConfigTable) -> VerifySettings? {
        guard let typeName = table.requiredString("type", what: "the verifier") else { return nil }
        guard let type = VerifierType(rawValue: typeName) else {
            let expected = VerifierType.allCases.map(\.rawValue).joined(separator: ", ")
            table.reader.report(table.path("type"), "unknown verifier \"\(typeName)\" (expected one of \(expected))")
            return nil
        }
        let allowed = Self.verifyKeys(for: type)
        for (key, _) in table.pairs where !allowed.contains(key) {
            table.reader.report(table.path(key), "is not used by the \(type.rawValue) verifier")
        }
        let tolerance = {
            table.int("tolerance_seconds", default: VerifySettings.defaultToleranceSeconds, in: 1...86_400)
        }
        switch type {
        case .hmacSHA256:
            let header = table.requiredString("header", what: "the request header carrying the signature")
            let prefix = table.string("prefix") ?? ""
            let encoding = table.choice("encoding", default: SignatureEncoding.hex, what: "encoding")
            let secret = table.secret("secret", required: true)
            guard let header, let secret else { return nil }
            return .hmacSHA256(header: header, prefix: prefix, encoding: encoding, secret: secret)
        case .standardWebhooks:
            let secret = table.secret("secret", required: true, decodedLater: true)
            let toleranceSeconds = tolerance()
            guard let secret else { return nil }
            let key = secret.value.hasPrefix("whsec_") ? String(secret.value.dropFirst(6)) : secret.value
            guard let decoded = Data(base64Encoded: key) else {
                table.reader.report(table.path("secret"), "must be base64, optionally prefixed with whsec_")
                return nil
            }
            // `whsec_` alone passes the text check above but decodes to an empty key.
            do {
                try Secret.checkKeyMaterial(Array(decoded), text: false)
            } catch {
                table.reader.report(table.path("secret"), "decoded from base64, " + error.problem)
                return nil
            }
            return .standardWebhooks(secret: secret, toleranceSeconds: toleranceSeconds)
        case .stripe:
            let secret = table.secret("secret", required: true)
            let toleranceSeconds = tolerance()
            guard let secret else { return nil }
            return .stripe(secret: secret, toleranceSeconds: toleranceSeconds)
        case .apiKey:
            let header = table.string("header").flatMap { $0.isEmpty ? nil : $0 } ?? VerifySettings.defaultAPIKeyHeader
            return .apiKey(header: header, secret: table.secret("secret", required: false))
        case .bearer:
            guard let token = table.secret("token", required: true) else { return nil }
            return .bearer(token: token)
        }
    }

    private static func decodeRateLimit(_ table: ConfigTable, verifierType: VerifierType?) -> RateLimitSettings {
        if !table.contains("requests") {
            table.reader.report(table.path("requests"), "is required (how many requests per per_seconds)")
        }
        let defaultKey: RateLimitKey = verifierType == .apiKey ? .apiKey : .source
        let key = table.choice("key", default: defaultKey, what: "rate limit key")
        if key == .apiKey, let verifierType, verifierType != .apiKey {
            table.reader.report(
                table.path("key"), "api-key needs verify.type api-key, but this source uses \(verifierType.rawValue)"
            )
        }
        return RateLimitSettings(
            requests: table.int("requests", default: 1, in: 1...1_000_000_000),
            perSeconds: table.int("per_seconds", default: 60, in: 1...2_678_400),
            key: key
        )
    }
}
