import IntakeCrypto
import IntakeSupport
import NIOHTTP1

/// The idempotency key of a delivery (SPEC §6 step 4): the source's configured `id` header,
/// else `webhook-id`, else the JSON body's top-level `id`, else the SHA-256 of the body.
public enum IdempotencyKey {
    /// Longer keys are stored as their hash: a unique index entry has a size limit, and one
    /// oversized key must not fail the batch it is written in.
    static let maxStoredLength = 200

    public static func resolve(idHeader: String?, headers: HTTPHeaders, jsonID: String?, body: [UInt8]) -> String {
        if let idHeader, let value = nonEmpty(headers.first(name: idHeader)) { return stored(value) }
        if let value = nonEmpty(headers.first(name: "webhook-id")) { return stored(value) }
        if let value = nonEmpty(jsonID) { return stored(value) }
        return "sha256:" + Hex.encode(SHA256.hash(body))
    }

    /// Checks that `body` is one JSON text a handler can read and store (``JSONReadOptions/storable``,
    /// the rules every handler reads with) and returns its top-level `id`: a string's text or a
    /// number as written; the last one when repeated, as `jsonb` keeps it.
    static func jsonID(of body: [UInt8]) throws(JSONParseError) -> String? {
        guard let member = try JSONReader.topLevelMembers(body, capturing: { $0 == "id" })?.last else { return nil }
        switch member.kind {
        case .string: return JSONReader.decodeString(body[member.range])
        case .number: return String(decoding: body[member.range], as: UTF8.self)
        default: return nil
        }
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value else { return nil }
        let trimmed = value.trimmingASCIISpaces()
        return trimmed.isEmpty ? nil : String(trimmed)
    }

    /// PostgreSQL text cannot hold NUL; such keys and overlong ones are kept as their hash.
    static func stored(_ key: String) -> String {
        if key.utf8.count <= maxStoredLength, !key.utf8.contains(0) { return key }
        return "sha256:" + Hex.encode(SHA256.hash(Array(key.utf8)))
    }
}
