import Foundation
import IntakeCore
import IntakePostgres
import IntakeSupport

/// The SQL of `fhir.subscription`, on the handler's shared transaction.
struct FHIRSubscriptionStore {
    let connection: PostgresConnection

    struct LockedSubscription {
        var state: FHIREventSequence.State
        var epoch: Int
    }

    /// Creates the subscription's row on first sight and locks it until the transaction ends, so
    /// two notifications of one subscription update its counter one after the other.
    func lock(_ reference: String) async throws -> LockedSubscription {
        let rows = try await connection.query(
            """
            INSERT INTO ingest.fhir_subscriptions AS s (subscription_reference) VALUES ($1)
            ON CONFLICT (subscription_reference) DO UPDATE SET updated_at = s.updated_at
            RETURNING s.last_event_number, s.epoch
            """, [reference])
        let gaps = try await connection.query(
            """
            SELECT expected, received FROM ingest.fhir_event_gaps
            WHERE subscription_reference = $1 AND resolved_at IS NULL ORDER BY expected
            """, [reference])
        let open = try gaps.map {
            FHIREventSequence.Gap(expected: try $0.decode(Int64.self, at: 0), received: try $0.decode(Int64.self, at: 1))
        }
        return LockedSubscription(
            state: FHIREventSequence.State(lastEventNumber: try rows[0].decode(Int64?.self, at: 0), openGaps: open),
            epoch: try rows[0].decode(Int.self, at: 1))
    }

    func openGaps(_ gaps: [FHIREventSequence.Gap], subscription: String) async throws {
        guard !gaps.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO ingest.fhir_event_gaps (subscription_reference, expected, received)
            SELECT $1, g.expected, g.received FROM unnest($2::bigint[], $3::bigint[]) AS g(expected, received)
            """, [subscription, PostgresArray(gaps.map(\.expected)), PostgresArray(gaps.map(\.received))])
    }

    /// Closes open gaps: `filled` by late events, or all of them `reset` by a handshake.
    func resolveGaps(_ gaps: [FHIREventSequence.Gap]?, subscription: String, resolution: String) async throws {
        if let gaps, gaps.isEmpty { return }
        try await connection.query(
            """
            UPDATE ingest.fhir_event_gaps AS g SET resolved_at = now(), resolution = $2
            WHERE g.subscription_reference = $1 AND g.resolved_at IS NULL
              AND ($3::bigint[] IS NULL OR (g.expected, g.received) IN (
                  SELECT * FROM unnest($3::bigint[], $4::bigint[])))
            """,
            [
                subscription, resolution, gaps.map { PostgresArray($0.map(\.expected)) },
                gaps.map { PostgresArray($0.map(\.received)) },
            ])
    }

    struct EventRecord {
        var event: FHIRNotification.Event
        var hasResource: Bool
    }

    func recordEvents(
        _ records: [EventRecord], notification: FHIRNotification, epoch: Int, deliveryID: Int64?
    ) async throws {
        guard !records.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO ingest.fhir_events
                (subscription_reference, epoch, event_number, notification_type, focus_reference, additional_context,
                 event_timestamp, has_resource, bundle_id, delivery_id)
            SELECT $1, $2, e.number, $3, e.focus, e.context, e.at, e.has_resource, $4, $5
            FROM unnest($6::bigint[], $7::text[], $8::jsonb[], $9::timestamptz[], $10::boolean[])
                 AS e(number, focus, context, at, has_resource)
            ON CONFLICT (subscription_reference, epoch, event_number) DO NOTHING
            """,
            [
                notification.subscriptionReference, epoch, notification.type.rawValue, notification.bundleID,
                deliveryID, PostgresArray(records.map(\.event.eventNumber)),
                PostgresArray(records.map(\.event.focusReference)),
                PostgresArray(strings: records.map { JSONNode.array($0.event.additionalContext.map(JSONNode.string)).serialized() }),
                PostgresArray(
                    records.map { record in
                        record.event.timestamp.flatMap(RFC3339DateTime.parse).map(PostgresTimestamp.format)
                    }),
                PostgresArray(strings: records.map { $0.hasResource ? "t" : "f" }),
            ])
    }

    func upsert(_ row: any FHIRRow) async throws {
        let statement = FHIRRowUpsert(row)
        try await connection.query(statement.sql, statement.parameters)
    }

    func updateSubscription(
        _ notification: FHIRNotification, state: FHIREventSequence.State, epoch: Int, deliveryID: Int64?
    ) async throws {
        let type = notification.type
        try await connection.query(
            """
            UPDATE ingest.fhir_subscriptions SET
                topic = coalesce($2, topic), status = coalesce($3, status), last_event_number = $4,
                events_since_start = coalesce($5, events_since_start), last_notification_type = $6,
                last_handshake_at = CASE WHEN $6 = 'handshake' THEN now() ELSE last_handshake_at END,
                last_heartbeat_at = CASE WHEN $6 IN ('heartbeat', 'query-status') THEN now() ELSE last_heartbeat_at END,
                last_event_at = CASE WHEN $6 IN ('event-notification', 'query-event') THEN now() ELSE last_event_at END,
                form = $7, errors = $8::jsonb, last_delivery_id = coalesce($9, last_delivery_id), epoch = $10,
                updated_at = now()
            WHERE subscription_reference = $1
            """,
            [
                notification.subscriptionReference, notification.topic, notification.status, state.lastEventNumber,
                notification.eventsSinceSubscriptionStart, type.rawValue, notification.form.rawValue,
                PostgresJSON(text: JSONNode.array(notification.subscriptionErrors.map(JSONNode.string)).serialized()),
                deliveryID, epoch,
            ])
    }
}
