import Foundation
import IntakeCrypto
import IntakePostgres

/// The one writer of `intake.dead_letters`, for every origin (docs/ARCHITECTURE.md,
/// "Dead letters"). A message that already has a letter not yet replayed is not written
/// twice: an SQS worker may die between writing the letter and deleting the message, which
/// then comes back under the same id.
public enum DeadLetterWriter {
    /// A message that will not be retried, as `intake.dead_letters` keeps it, whatever its
    /// origin (operators read it back as ``DeadLetter``).
    public struct Letter: Sendable {
        public var origin: Origin
        /// The SQS message id, delivery id or job id.
        public var originRef: String
        public var handler: String
        /// What `intakectl dlq show` prints and replay reads back; storable whatever the message
        /// holds (U+0000 shown as U+2400).
        public var payload: PostgresJSON
        /// The original bytes when `payload` cannot hold them exactly (an SQS body).
        public var payloadRaw: [UInt8]?
        public var attempts: Int
        /// The whole history, oldest first: a JSON array of ``AttemptRecord``s.
        public var errors: PostgresJSON
        /// nil: the first history entry's time, else now.
        public var firstFailedAt: Date?

        public init(
            origin: Origin, originRef: String, handler: String, payload: PostgresJSON, payloadRaw: [UInt8]? = nil,
            attempts: Int, errors: PostgresJSON, firstFailedAt: Date? = nil
        ) {
            self.origin = origin
            self.originRef = originRef
            self.handler = handler
            self.payload = payload
            self.payloadRaw = payloadRaw
            self.attempts = attempts
            self.errors = errors
            self.firstFailedAt = firstFailedAt
        }
    }

    static let insertSQL = """
        INSERT INTO intake.dead_letters
            (origin, origin_ref, handler, payload, payload_raw, attempts, errors, first_failed_at)
        SELECT l.origin, l.origin_ref, l.handler, l.payload, decode(l.raw_hex, 'hex'), l.attempts, l.errors,
               coalesce(l.first_failed_at, (l.errors -> 0 ->> 'at')::timestamptz, now())
        FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::int[], $7::jsonb[],
                    $8::timestamptz[])
            AS l(origin, origin_ref, handler, payload, raw_hex, attempts, errors, first_failed_at)
        WHERE NOT EXISTS (
            SELECT 1 FROM intake.dead_letters d
            WHERE d.origin = l.origin AND d.origin_ref = l.origin_ref AND d.replayed_at IS NULL)
        """

    /// Writes `letters` in one statement on `connection` (inside the caller's transaction when
    /// one is open); returns how many were written.
    @discardableResult
    public static func write(_ letters: [Letter], on connection: isolated PostgresConnection) throws -> Int {
        guard !letters.isEmpty else { return 0 }
        return try connection.query(
            insertSQL,
            [
                PostgresArray(strings: letters.map(\.origin.rawValue)), PostgresArray(strings: letters.map(\.originRef)),
                PostgresArray(strings: letters.map(\.handler)), PostgresArray(strings: letters.map(\.payload.text)),
                PostgresArray(letters.map { $0.payloadRaw.map { Hex.encode($0) } }),
                PostgresArray(letters.map(\.attempts)), PostgresArray(strings: letters.map(\.errors.text)),
                PostgresArray(letters.map { $0.firstFailedAt.map(PostgresTimestamp.format) }),
            ]
        ).affectedRows
    }
}
