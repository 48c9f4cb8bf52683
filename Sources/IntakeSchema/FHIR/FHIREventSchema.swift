/// Migration 7: what `fhir.subscription` records beyond the tables of migration 5 — one row per
/// event received (id-only notifications carry nothing else worth keeping), why a gap closed,
/// and the subscription's wire form and reported errors. Idempotent, like every migration.
public enum FHIREventSchema {
    public static let sql = """
        ALTER TABLE ingest.fhir_subscriptions
            ADD COLUMN IF NOT EXISTS form text,
            ADD COLUMN IF NOT EXISTS errors jsonb NOT NULL DEFAULT '[]'::jsonb,
            ADD COLUMN IF NOT EXISTS last_delivery_id bigint,
            -- Bumped by every handshake: event numbers restart with a new handshake, so events
            -- are keyed by (subscription, epoch, number).
            ADD COLUMN IF NOT EXISTS epoch integer NOT NULL DEFAULT 0;

        -- 'filled': late events arrived (what is still missing is a new row);
        -- 'reset': a handshake restarted the count, so the missing events will never come.
        ALTER TABLE ingest.fhir_event_gaps ADD COLUMN IF NOT EXISTS resolution text;

        CREATE TABLE IF NOT EXISTS ingest.fhir_events (
            subscription_reference  text NOT NULL
                                    REFERENCES ingest.fhir_subscriptions (subscription_reference) ON DELETE CASCADE,
            epoch                   integer NOT NULL,
            event_number            bigint NOT NULL,
            notification_type       text NOT NULL,
            -- The resource the event is about (`focus.reference`), full-resource or id-only.
            focus_reference         text,
            additional_context      jsonb NOT NULL DEFAULT '[]'::jsonb,
            event_timestamp         timestamptz,
            -- Whether the notification carried the focus resource itself (full-resource).
            has_resource            boolean NOT NULL DEFAULT false,
            bundle_id               text,
            delivery_id             bigint,
            received_at             timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (subscription_reference, epoch, event_number)
        );
        CREATE INDEX IF NOT EXISTS fhir_events_focus_idx ON ingest.fhir_events (focus_reference);
        """
}
