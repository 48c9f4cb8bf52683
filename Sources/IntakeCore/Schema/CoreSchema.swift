import IntakePostgres

/// The `intake` schema: the machinery every process shares (SPEC §3).
public enum CoreSchema {
    public static let migrations: [Migration] = [core, receiver, deadLetterBytes, attemptHistory]

    /// Version 1: inbox, jobs with NOTIFY, dead letters, imports and their errors, schema history.
    static let core = Migration(
        version: 1, name: "intake core",
        sql: #"""
            CREATE SCHEMA IF NOT EXISTS intake;
            CREATE SCHEMA IF NOT EXISTS ingest;

            -- The webhook inbox. Finished rows stay for inspection; the partial indexes keep the
            -- claim path as small as the backlog, not the history.
            CREATE TABLE intake.deliveries (
                id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                source        text NOT NULL,
                external_id   text NOT NULL,
                headers       jsonb NOT NULL DEFAULT '{}',
                body          bytea NOT NULL,
                content_type  text,
                received_at   timestamptz NOT NULL DEFAULT now(),
                status        text NOT NULL DEFAULT 'pending'
                              CHECK (status IN ('pending', 'processing', 'succeeded', 'dead')),
                attempts      integer NOT NULL DEFAULT 0,
                run_at        timestamptz NOT NULL DEFAULT now(),
                locked_by     text,
                locked_until  timestamptz,
                last_error    text,
                errors        jsonb NOT NULL DEFAULT '[]',
                result        jsonb,
                finished_at   timestamptz,
                UNIQUE (source, external_id)
            );
            CREATE INDEX deliveries_claimable ON intake.deliveries (run_at, id) WHERE status = 'pending';
            CREATE INDEX deliveries_leased ON intake.deliveries (locked_until) WHERE status = 'processing';

            -- Receivers insert deliveries in group-commit batches; one wake-up per statement lets
            -- idle inbox workers skip the rest of their poll interval.
            CREATE FUNCTION intake.notify_deliveries() RETURNS trigger LANGUAGE plpgsql AS $fn$
            BEGIN
                PERFORM pg_notify('intake_deliveries', '');
                RETURN NULL;
            END
            $fn$;
            CREATE TRIGGER deliveries_notify AFTER INSERT ON intake.deliveries
                FOR EACH STATEMENT EXECUTE FUNCTION intake.notify_deliveries();

            -- The notify queue.
            CREATE TABLE intake.jobs (
                id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                kind          text NOT NULL,
                payload       jsonb NOT NULL DEFAULT '{}',
                created_at    timestamptz NOT NULL DEFAULT now(),
                status        text NOT NULL DEFAULT 'pending'
                              CHECK (status IN ('pending', 'processing', 'succeeded', 'dead')),
                attempts      integer NOT NULL DEFAULT 0,
                run_at        timestamptz NOT NULL DEFAULT now(),
                locked_by     text,
                locked_until  timestamptz,
                last_error    text,
                errors        jsonb NOT NULL DEFAULT '[]',
                result        jsonb,
                finished_at   timestamptz
            );
            CREATE INDEX jobs_claimable ON intake.jobs (run_at, id) WHERE status = 'pending';
            CREATE INDEX jobs_leased ON intake.jobs (locked_until) WHERE status = 'processing';
            CREATE INDEX jobs_kind_status ON intake.jobs (kind, status);

            -- One notification per statement, not per row: a bulk insert wakes workers once.
            CREATE FUNCTION intake.notify_jobs() RETURNS trigger LANGUAGE plpgsql AS $fn$
            BEGIN
                PERFORM pg_notify('intake_jobs', '');
                RETURN NULL;
            END
            $fn$;
            CREATE TRIGGER jobs_notify AFTER INSERT ON intake.jobs
                FOR EACH STATEMENT EXECUTE FUNCTION intake.notify_jobs();

            CREATE FUNCTION intake.enqueue(kind text, payload jsonb, run_at timestamptz DEFAULT now())
            RETURNS bigint LANGUAGE sql AS $fn$
                INSERT INTO intake.jobs (kind, payload, run_at) VALUES (kind, payload, run_at) RETURNING id
            $fn$;

            -- Dead letters from every origin, with what is needed to replay them.
            CREATE TABLE intake.dead_letters (
                id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                origin          text NOT NULL CHECK (origin IN ('sqs', 'inbox', 'notify')),
                origin_ref      text NOT NULL,
                handler         text NOT NULL,
                payload         jsonb NOT NULL,
                attempts        integer NOT NULL,
                errors          jsonb NOT NULL DEFAULT '[]',
                first_failed_at timestamptz NOT NULL DEFAULT now(),
                dead_at         timestamptz NOT NULL DEFAULT now(),
                replayed_at     timestamptz,
                replay_count    integer NOT NULL DEFAULT 0
            );
            CREATE INDEX dead_letters_origin_handler ON intake.dead_letters (origin, handler, dead_at);
            CREATE INDEX dead_letters_dead_at ON intake.dead_letters (dead_at);

            -- Error history of SQS messages between receives (the queue itself keeps none).
            CREATE TABLE intake.sqs_failures (
                message_id      text PRIMARY KEY,
                queue_url       text NOT NULL,
                errors          jsonb NOT NULL DEFAULT '[]',
                first_failed_at timestamptz NOT NULL DEFAULT now(),
                updated_at      timestamptz NOT NULL DEFAULT now()
            );

            CREATE TABLE intake.import_jobs (
                id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                source_type           text NOT NULL DEFAULT 's3',
                source_identifier     text NOT NULL UNIQUE,
                handler               text NOT NULL,
                status                text NOT NULL DEFAULT 'pending'
                                      CHECK (status IN ('pending', 'in_progress', 'completed',
                                                        'partially_completed', 'failed', 'skipped')),
                total_records         bigint,
                processed_records     bigint NOT NULL DEFAULT 0,
                successful_records    bigint NOT NULL DEFAULT 0,
                failed_records        bigint NOT NULL DEFAULT 0,
                last_processed_offset bigint NOT NULL DEFAULT 0,
                last_processed_byte   bigint NOT NULL DEFAULT 0,
                file_size_bytes       bigint,
                checksum_sha256       text,
                created_at            timestamptz NOT NULL DEFAULT now(),
                started_at            timestamptz,
                completed_at          timestamptz,
                error_message         text,
                metadata              jsonb NOT NULL DEFAULT '{}'
            );
            CREATE INDEX import_jobs_status ON intake.import_jobs (status, created_at);

            CREATE TABLE intake.import_job_errors (
                id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                import_job_id uuid NOT NULL REFERENCES intake.import_jobs (id) ON DELETE CASCADE,
                row_number    bigint NOT NULL,
                error_type    text NOT NULL,
                message       text NOT NULL,
                raw           text,
                created_at    timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX import_job_errors_job ON intake.import_job_errors (import_job_id, row_number);

            CREATE TABLE intake.schema_history (
                id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                route             text NOT NULL,
                source_identifier text NOT NULL,
                import_job_id     uuid REFERENCES intake.import_jobs (id) ON DELETE SET NULL,
                columns           text[] NOT NULL,
                added_columns     text[] NOT NULL DEFAULT '{}',
                removed_columns   text[] NOT NULL DEFAULT '{}',
                reordered         boolean NOT NULL DEFAULT false,
                recorded_at       timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX schema_history_route ON intake.schema_history (route, recorded_at DESC);
            """#)
}
