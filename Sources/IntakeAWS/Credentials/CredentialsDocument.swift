import Foundation

/// The JSON document the container credentials endpoint and the instance metadata service
/// both answer: `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration` (and IMDS's `Code`).
enum CredentialsDocument {
    private struct Wire: Decodable {
        var Code: String?
        var Message: String?
        var AccessKeyId: String?
        var SecretAccessKey: String?
        var Token: String?
        var Expiration: String?
    }

    /// Errors name the source and the missing field, never the body: it holds the secret.
    static func parse(_ body: [UInt8], source: String) throws -> AWSCredentials {
        guard let wire = try? JSONDecoder().decode(Wire.self, from: Data(body)) else {
            throw CredentialError(source: source, "the answer is not a credentials JSON document (\(body.count) bytes)")
        }
        if let code = wire.Code, code != "Success" {
            throw CredentialError(source: source, "the answer says \(code): \(wire.Message ?? "no message")")
        }
        guard let accessKey = wire.AccessKeyId, !accessKey.isEmpty, let secret = wire.SecretAccessKey, !secret.isEmpty
        else {
            throw CredentialError(source: source, "the answer has no AccessKeyId or SecretAccessKey")
        }
        var expiration: Date? = nil
        if let text = wire.Expiration {
            guard let date = AWSTimestamp.parse(text) else {
                throw CredentialError(source: source, "the answer's Expiration \"\(text)\" is not an ISO 8601 time")
            }
            expiration = date
        }
        return AWSCredentials(
            accessKeyID: accessKey, secretAccessKey: secret, sessionToken: wire.Token.flatMap { $0.isEmpty ? nil : $0 },
            expiration: expiration)
    }
}

/// ISO 8601 times as AWS writes them: `2026-01-31T12:00:00Z`, with or without fractional
/// seconds (STS and moto write up to six digits, which `ISO8601DateFormatter` refuses).
enum AWSTimestamp {
    static func parse(_ text: String) -> Date? {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        var fraction = 0.0
        if let dot = trimmed.firstIndex(of: ".") {
            let digitsEnd = trimmed[dot...].dropFirst().firstIndex { !$0.isNumber } ?? trimmed.endIndex
            fraction = Double("0" + trimmed[dot..<digitsEnd]) ?? 0
            trimmed.removeSubrange(dot..<digitsEnd)
        }
        guard let date = ISO8601DateFormatter().date(from: trimmed) else { return nil }
        return date.addingTimeInterval(fraction)
    }
}
