import Foundation
import IntakeAWS
import IntakeCore
import IntakePostgres

/// The database side of SQS failures: the error history between receives (the queue keeps
/// none) and the dead letters.
struct SQSFailureLog: Sendable {
    let pool: PostgresPool
    let queueURL: String

    /// Appends one attempt's error to the message's history.
    func recordRetry(messageID: String, entry: String) async throws {
        try await pool.query(
            """
            INSERT INTO intake.sqs_failures (message_id, queue_url, errors) VALUES ($1, $2, jsonb_build_array($3::jsonb))
            ON CONFLICT (message_id) DO UPDATE
                SET errors = intake.sqs_failures.errors || excluded.errors, updated_at = now()
            """, [messageID, queueURL, PostgresJSON(text: entry)])
    }

    /// Deletes histories not touched for `days` days (this queue's only); returns how many.
    func prune(olderThanDays days: Int) async throws -> Int {
        try await pool.query(
            "DELETE FROM intake.sqs_failures WHERE queue_url = $1 AND updated_at < now() - make_interval(days => $2)",
            [queueURL, days]
        ).affectedRows
    }

    /// Forgets the history of a message that finally succeeded.
    func forget(messageID: String) async throws {
        try await pool.query("DELETE FROM intake.sqs_failures WHERE message_id = $1", [messageID])
    }

    /// Writes the dead letter with the whole history (earlier attempts plus `entry`) and drops
    /// the history, in one transaction. The body goes in twice: as bytes in `payload_raw`,
    /// which replay re-sends, and escaped for reading in the `jsonb` payload, so that whatever
    /// the body holds the row can be written.
    func deadLetter(message: SQSMessage, handler: String, entry: String) async throws {
        let payload = try Self.payload(message, queueURL: queueURL)
        try await pool.withTransaction { connection in
            let history = try connection.query(
                """
                WITH history AS (DELETE FROM intake.sqs_failures WHERE message_id = $1 RETURNING errors, first_failed_at)
                SELECT (coalesce((SELECT errors FROM history), '[]'::jsonb) || jsonb_build_array($2::jsonb))::text,
                       (SELECT first_failed_at FROM history)
                """, [message.messageId, PostgresJSON(text: entry)])
            let letter = DeadLetterWriter.Letter(
                origin: .sqs, originRef: message.messageId, handler: handler, payload: payload,
                payloadRaw: Array(message.body.utf8), attempts: message.receiveCount,
                errors: PostgresJSON(text: try history[0].decode(String.self, at: 0)),
                firstFailedAt: try history[0].decode(Date?.self, at: 1))
            try DeadLetterWriter.write([letter], on: connection)
        }
    }

    /// What `intakectl dlq replay` needs to re-send the message: queue, body and the string
    /// message attributes (binary ones cannot be replayed and are left out), plus the system
    /// attributes for whoever investigates. Storable whatever the message holds (U+0000 shows
    /// as U+2400 here; the body's bytes are in `payload_raw`).
    static func payload(_ message: SQSMessage, queueURL: String) throws -> PostgresJSON {
        var attributes: [String: String] = [:]
        for (name, attribute) in message.messageAttributes {
            if let value = attribute.stringValue { attributes[name] = value }
        }
        let readable = try PostgresJSON(object: [
            "queue_url": queueURL,
            "message_id": message.messageId,
            "body": message.body,
            "message_attributes": attributes,
            "attributes": message.attributes,
        ] as [String: Any])
        return PostgresJSON(text: FailureHistory.storableJSON(readable.text))
    }
}
