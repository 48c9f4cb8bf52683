import Foundation
import IntakePostgres

/// What a failure leaves behind: one entry of an `errors` history and the `last_error` text,
/// in a form PostgreSQL always stores. Error messages quote what failed (an S3 key, a header,
/// a line of a body) and that may hold U+0000, which `text` cannot hold and `jsonb` refuses
/// (SQLSTATE 22P05). A history that cannot be written is a message that can be neither retried
/// nor dead-lettered, so every such text goes through here (docs/ARCHITECTURE.md, "Dead letters").
public enum FailureHistory {
    /// Shown in place of U+0000: SYMBOL FOR NULL, visible to whoever reads the history. The
    /// bytes themselves stay in the dead letter's payload (`payload_raw`, `body_base64`).
    public static let nulReplacement: Character = "\u{2400}"

    /// The stored form of an ``AttemptRecord``. Older rows may hold `retry_in_seconds` (SQS,
    /// before migration 9 rewrote them) where this writes `retry_in_ms`.
    static func entry(_ record: AttemptRecord) -> String {
        var object: [String: Any] = [
            "at": PostgresTimestamp.format(record.at),
            "worker": record.worker,
            "attempt": record.attempt,
            "handler": record.handler,
            "class": record.retryable ? "retryable" : "permanent",
            "error": record.errorClass,
            "message": record.message,
        ]
        if let retryIn = record.retryIn { object["retry_in_ms"] = retryIn.milliseconds }
        if let subject = record.object { object["object"] = subject }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return storableJSON(String(decoding: data, as: UTF8.self))
    }

    /// `text` with U+0000 shown as ``nulReplacement``: for `text` columns such as `last_error`
    /// (libpq takes text parameters as C strings and would cut them at the first NUL).
    public static func storableText(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return String(text.map { $0 == "\u{0}" ? nulReplacement : $0 })
    }

    /// JSON text with every `\u0000` escape (and any raw NUL byte, which is not JSON and which
    /// libpq would cut the text at) replaced by the escape of ``nulReplacement``. Exact on any
    /// JSON text: escapes are consumed in pairs, so `\\u0000` (a backslash, then `u0000`) is
    /// left alone.
    public static func storableJSON(_ json: String) -> String {
        let bytes = Array(json.utf8)
        let escape = Array(#"\u0000"#.utf8)
        guard bytes.contains(where: { $0 == UInt8(ascii: "\\") || $0 == 0 }) else { return json }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        var changed = false
        while index < bytes.count {
            if bytes[index] == 0 {
                out.append(contentsOf: #"\u2400"#.utf8)
                index += 1
                changed = true
                continue
            }
            guard bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                out.append(bytes[index])
                index += 1
                continue
            }
            if bytes[index...].starts(with: escape) {
                out.append(contentsOf: #"\u2400"#.utf8)
                index += escape.count
                changed = true
            } else {
                out.append(contentsOf: bytes[index...index + 1])
                index += 2
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : json
    }
}
