import Foundation
import IntakeCore
import IntakeCrypto
import IntakePostgres

/// Signs outgoing notifications the Standard Webhooks way: `webhook-signature` is
/// `v1,` + base64(HMAC-SHA256(key, "id.timestamp.body")). A `whsec_` secret is the base64 of
/// the key; any other secret is used as its raw bytes.
public struct WebhookSigner: Sendable {
    private let key: [UInt8]

    public init(secret: Secret) throws {
        let value = secret.value
        if value.hasPrefix("whsec_") {
            guard let decoded = Base64.decode(value.dropFirst(6)), !decoded.isEmpty else {
                throw PermanentError("a subscriber secret starting with whsec_ must continue in base64")
            }
            key = decoded
        } else {
            key = Array(value.utf8)
        }
    }

    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        var signed = Array("\(id).\(timestamp).".utf8)
        signed.append(contentsOf: body)
        return "v1," + Base64.encode(HMAC.sha256(key: key, data: signed))
    }

    /// The three Standard Webhooks headers for one attempt.
    public func headers(id: String, timestamp: Int64, body: [UInt8]) -> [(name: String, value: String)] {
        [
            ("webhook-id", id), ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signature(id: id, timestamp: timestamp, body: body)),
        ]
    }
}

/// The payload of a `subscriber.notify` job: who, which event, the stable message id (the
/// same on every retry, so a subscriber can drop duplicates) and the exact body to post.
public struct SubscriberNotification: Sendable, Codable, Equatable {
    public var url: String
    public var event: String
    public var webhookID: String
    /// The JSON body, as text: signed and sent byte for byte the same on every attempt.
    public var body: String

    enum CodingKeys: String, CodingKey {
        case url, event, body
        case webhookID = "webhook_id"
    }

    public init(url: String, event: String, webhookID: String, body: String) {
        self.url = url
        self.event = event
        self.webhookID = webhookID
        self.body = body
    }

    /// `{"type": event, "timestamp": now, "data": event payload}` — the Standard Webhooks
    /// payload shape.
    public init(url: String, event: String, webhookID: String, data: ImportEvent, now: Date = Date()) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let dataText = String(decoding: try encoder.encode(data), as: UTF8.self)
        let timestamp = ISO8601DateFormatter().string(from: now)
        let body = "{\"data\":\(dataText),\"timestamp\":\"\(timestamp)\",\"type\":\"\(event)\"}"
        self.init(url: url, event: event, webhookID: webhookID, body: body)
    }

    func payload() throws -> PostgresJSON {
        try PostgresJSON(encoding: self)
    }
}
