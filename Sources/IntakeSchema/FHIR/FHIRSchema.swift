/// DDL for the `fhir.subscription` tables and `webhook.generic`'s `ingest.webhook_events`
/// (SPEC §3, §5). Idempotent (`IF NOT EXISTS` throughout); expects the `ingest` schema to exist.
/// Every resource table has `updated_at` so the generic `FHIRRow` upsert can stamp it.
public enum FHIRSchema {
    public static let sql = """
        CREATE TABLE IF NOT EXISTS ingest.fhir_subscriptions (
            subscription_reference  text PRIMARY KEY,
            topic                   text,
            status                  text,
            -- Highest eventNumber seen; NULL until the first handshake or event.
            last_event_number       bigint,
            -- The server's eventsSinceSubscriptionStart in its latest notification.
            events_since_start      bigint,
            last_notification_type  text,
            last_handshake_at       timestamptz,
            last_heartbeat_at       timestamptz,
            last_event_at           timestamptz,
            created_at              timestamptz NOT NULL DEFAULT now(),
            updated_at              timestamptz NOT NULL DEFAULT now()
        );

        -- Events a server numbered but this side never received: expected .. received - 1.
        CREATE TABLE IF NOT EXISTS ingest.fhir_event_gaps (
            id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            subscription_reference  text NOT NULL
                                    REFERENCES ingest.fhir_subscriptions (subscription_reference) ON DELETE CASCADE,
            expected                bigint NOT NULL,
            received                bigint NOT NULL,
            detected_at             timestamptz NOT NULL DEFAULT now(),
            -- Set when late events close (part of) the gap; what is still missing is a new row.
            resolved_at             timestamptz,
            CHECK (received > expected)
        );
        CREATE INDEX IF NOT EXISTS fhir_event_gaps_open_idx
            ON ingest.fhir_event_gaps (subscription_reference, expected) WHERE resolved_at IS NULL;

        CREATE TABLE IF NOT EXISTS ingest.fhir_patients (
            id           text PRIMARY KEY,
            identifiers  jsonb NOT NULL DEFAULT '[]'::jsonb,
            mrn          text,
            family_name  text,
            given_names  text,
            -- A full birth date only; a partial one (1974, 1974-12) stays in raw.
            birth_date   date,
            raw          jsonb NOT NULL,
            updated_at   timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS fhir_patients_mrn_idx ON ingest.fhir_patients (mrn);
        CREATE INDEX IF NOT EXISTS fhir_patients_identifiers_idx
            ON ingest.fhir_patients USING gin (identifiers jsonb_path_ops);

        CREATE TABLE IF NOT EXISTS ingest.fhir_observations (
            id                 text PRIMARY KEY,
            code_system        text,
            code               text,
            code_display       text,
            value_numeric      numeric,
            value_text         text,
            unit               text,
            subject_reference  text,
            -- The effective instant when the resource gives a full date-time; effective_text
            -- keeps what was sent at any precision.
            effective_at       timestamptz,
            effective_text     text,
            raw                jsonb NOT NULL,
            updated_at         timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS fhir_observations_subject_idx
            ON ingest.fhir_observations (subject_reference, effective_at);
        CREATE INDEX IF NOT EXISTS fhir_observations_code_idx
            ON ingest.fhir_observations (code_system, code);

        -- Resources of types without a mapper, kept whole.
        CREATE TABLE IF NOT EXISTS ingest.fhir_resources (
            resource_type  text NOT NULL,
            id             text NOT NULL,
            raw            jsonb NOT NULL,
            updated_at     timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (resource_type, id)
        );

        -- webhook.generic: one row per verified delivery.
        CREATE TABLE IF NOT EXISTS ingest.webhook_events (
            id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            delivery_id  bigint NOT NULL UNIQUE,
            source       text NOT NULL,
            event_type   text,
            payload      jsonb NOT NULL,
            received_at  timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS webhook_events_source_type_idx
            ON ingest.webhook_events (source, event_type, received_at);
        """
}
