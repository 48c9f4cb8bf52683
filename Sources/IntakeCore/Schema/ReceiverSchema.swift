import IntakePostgres

extension CoreSchema {
    /// Version 2: the receiver's cross-replica rate-limit counters and the events stored by
    /// `webhook.generic`.
    static let receiver = Migration(
        version: 2, name: "receiver",
        sql: #"""
            CREATE SCHEMA IF NOT EXISTS ingest;

            -- One row per limited key per fixed window, shared by every receiver replica.
            -- Unlogged: a crash forgets the current windows' counts, which only ever errs
            -- towards letting a sender through; in exchange counting costs no WAL flush.
            CREATE UNLOGGED TABLE intake.rate_limits (
                bucket       text NOT NULL,
                window_start timestamptz NOT NULL,
                window_end   timestamptz NOT NULL,
                count        integer NOT NULL DEFAULT 0,
                PRIMARY KEY (bucket, window_start)
            );
            CREATE INDEX rate_limits_window_end ON intake.rate_limits (window_end);

            -- Verified events stored by webhook.generic; one per delivery however often it runs.
            -- No foreign key to intake.deliveries: purging old deliveries must not take the
            -- events with it.
            CREATE TABLE ingest.webhook_events (
                id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                delivery_id bigint NOT NULL UNIQUE,
                source      text NOT NULL,
                event_type  text,
                payload     jsonb NOT NULL,
                received_at timestamptz NOT NULL,
                stored_at   timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX webhook_events_source_type ON ingest.webhook_events (source, event_type, received_at);
            """#)
}
