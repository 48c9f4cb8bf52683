import NIOHTTP1

/// The request headers kept with a delivery, as a JSON object of lowercase names: without
/// credentials, and with the receiver's own `x-intake-*` facts about the verified sender.
public enum StoredHeaders {
    /// Never stored, whatever the source's verifier: credentials and signatures of every
    /// scheme the receiver knows, and cookies.
    static let alwaysDropped: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key",
        "stripe-signature", "webhook-signature", "svix-signature", "x-hub-signature", "x-hub-signature-256",
        // Hop-by-hop and framing headers describe the connection, not the event.
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade", "expect", "content-length",
    ]

    /// Header carrying the verified site's id (`api-key` sources backed by `ingest.drupal_sites`).
    public static let siteID = "x-intake-site-id"
    /// Header carrying the verified site's name.
    public static let siteName = "x-intake-site-name"
    /// Added headers start with this; a client cannot send its own.
    static let reservedPrefix = "x-intake-"

    /// The JSON object text for `intake.deliveries.headers`.
    public static func json(_ headers: HTTPHeaders, dropping credentialHeaders: [String], sender: VerifiedSender) -> String {
        let dropped = Set(credentialHeaders.map { $0.lowercased() })
        var order: [String] = []
        var values: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            if alwaysDropped.contains(key) || dropped.contains(key) || key.hasPrefix(reservedPrefix) { continue }
            if let existing = values[key] {
                values[key] = existing + ", " + value
            } else {
                order.append(key)
                values[key] = value
            }
        }
        if case .site(let id, let name) = sender {
            order += [siteID, siteName]
            values[siteID] = String(id)
            values[siteName] = name
        }
        var out = "{"
        for (index, key) in order.enumerated() {
            if index > 0 { out += "," }
            JSONText.appendString(key, to: &out)
            out += ":"
            JSONText.appendString(values[key] ?? "", to: &out)
        }
        out += "}"
        return out
    }
}

/// Minimal JSON text writing for the few documents the receiver builds by hand.
enum JSONText {
    /// Appends `value` as a JSON string. NUL is dropped: `jsonb` rejects `\u0000`.
    static func appendString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0}": continue
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    static func string(_ value: String) -> String {
        var out = ""
        appendString(value, to: &out)
        return out
    }
}
