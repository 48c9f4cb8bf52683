import IntakeSupport
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
            JSONString.append(withoutNUL(key), to: &out)
            out += ":"
            JSONString.append(withoutNUL(values[key] ?? ""), to: &out)
        }
        out += "}"
        return out
    }

    /// `jsonb` refuses `\u0000`, and a header's NUL carries nothing worth a failed delivery.
    private static func withoutNUL(_ text: String) -> String {
        text.utf8.contains(0) ? String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\u{0}" })) : text
    }
}
