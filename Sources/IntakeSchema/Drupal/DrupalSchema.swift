/// DDL for the `drupal.module_sync` tables (SPEC §3, §5). Idempotent: every statement is
/// `IF NOT EXISTS`, so the migration may run it again, from several pods at once under its
/// advisory lock. Expects the `ingest` schema to exist.
public enum DrupalSchema {
    public static let sql = """
        CREATE TABLE IF NOT EXISTS ingest.drupal_sites (
            id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name                text NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 255),
            -- Lowercase hex SHA-256 of the key; the key itself is never stored.
            api_key_hash        text NOT NULL UNIQUE CHECK (api_key_hash ~ '^[0-9a-f]{64}$'),
            -- First characters of the key (idk_XXXXXXXX), to tell keys apart when listing.
            key_prefix          text NOT NULL,
            created_at          timestamptz NOT NULL DEFAULT now(),
            revoked_at          timestamptz,
            -- sync_timestamp of the last sync applied: an older one arriving later changes nothing.
            last_sync_timestamp timestamptz,
            last_synced_at      timestamptz
        );

        CREATE TABLE IF NOT EXISTS ingest.drupal_modules (
            id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            machine_name  text NOT NULL UNIQUE CHECK (machine_name ~ '^[a-z_][a-z0-9_]{0,254}$'),
            name          text NOT NULL,
            type          text NOT NULL CHECK (type IN ('core', 'contrib', 'custom')),
            package       text,
            description   text,
            project_link  text,
            created_at    timestamptz NOT NULL DEFAULT now(),
            updated_at    timestamptz NOT NULL DEFAULT now()
        );

        -- Every version of a module any site has reported.
        CREATE TABLE IF NOT EXISTS ingest.drupal_module_versions (
            id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            module_id           bigint NOT NULL REFERENCES ingest.drupal_modules (id) ON DELETE CASCADE,
            version             text NOT NULL,
            core_compatibility  jsonb NOT NULL DEFAULT '[]'::jsonb,
            first_seen_at       timestamptz NOT NULL DEFAULT now(),
            -- Set from ingest.drupal_advisories when a sync finds this version affected.
            security_advisories text[] NOT NULL DEFAULT '{}',
            UNIQUE (module_id, version)
        );

        CREATE TABLE IF NOT EXISTS ingest.drupal_site_modules (
            site_id          bigint NOT NULL REFERENCES ingest.drupal_sites (id) ON DELETE CASCADE,
            module_id        bigint NOT NULL REFERENCES ingest.drupal_modules (id) ON DELETE CASCADE,
            version_id       bigint NOT NULL REFERENCES ingest.drupal_module_versions (id),
            -- The module's Drupal `status`: enabled on the site.
            enabled          boolean NOT NULL,
            schema_version   integer,
            dependencies     jsonb NOT NULL DEFAULT '[]'::jsonb,
            security_coverage boolean NOT NULL DEFAULT true,
            first_seen_at    timestamptz NOT NULL DEFAULT now(),
            last_seen_at     timestamptz NOT NULL DEFAULT now(),
            updated_at       timestamptz NOT NULL DEFAULT now(),
            -- Set when a full sync stops listing the module; cleared when it is listed again.
            removed_at       timestamptz,
            PRIMARY KEY (site_id, module_id)
        );
        CREATE INDEX IF NOT EXISTS drupal_site_modules_present_idx
            ON ingest.drupal_site_modules (site_id) WHERE removed_at IS NULL;
        CREATE INDEX IF NOT EXISTS drupal_site_modules_version_idx
            ON ingest.drupal_site_modules (version_id);

        -- The site's version history: one row per change a sync observed.
        CREATE TABLE IF NOT EXISTS ingest.drupal_site_module_history (
            id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            site_id           bigint NOT NULL REFERENCES ingest.drupal_sites (id) ON DELETE CASCADE,
            module_id         bigint NOT NULL REFERENCES ingest.drupal_modules (id) ON DELETE CASCADE,
            change            text NOT NULL CHECK (change IN
                                  ('added', 'reinstated', 'upgraded', 'downgraded', 'changed', 'removed')),
            previous_version  text,
            version           text,
            observed_at       timestamptz NOT NULL,
            sync_run_id       bigint,
            recorded_at       timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS drupal_site_module_history_site_idx
            ON ingest.drupal_site_module_history (site_id, module_id, observed_at);

        -- One row per sync request handled (applied, superseded or rejected).
        CREATE TABLE IF NOT EXISTS ingest.drupal_sync_runs (
            id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            site_id                 bigint NOT NULL REFERENCES ingest.drupal_sites (id) ON DELETE CASCADE,
            -- intake.deliveries.id: a redelivered request finds its run instead of adding one.
            delivery_id             bigint UNIQUE,
            outcome                 text NOT NULL CHECK (outcome IN ('applied', 'superseded', 'rejected')),
            sync_type               text CHECK (sync_type IN ('full', 'partial')),
            sync_timestamp          timestamptz,
            drupal_version          text,
            php_version             text,
            site_info               jsonb,
            processed_count         integer NOT NULL DEFAULT 0,
            new_modules             integer NOT NULL DEFAULT 0,
            updated_modules         integer NOT NULL DEFAULT 0,
            removed_modules         integer NOT NULL DEFAULT 0,
            security_updates_found  integer NOT NULL DEFAULT 0,
            warnings                jsonb NOT NULL DEFAULT '[]'::jsonb,
            errors                  jsonb NOT NULL DEFAULT '[]'::jsonb,
            processing_time_ms      integer NOT NULL DEFAULT 0,
            created_at              timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS drupal_sync_runs_site_idx
            ON ingest.drupal_sync_runs (site_id, created_at DESC);

        -- Security advisories. affected_versions uses DrupalVersionConstraint's syntax, e.g.
        -- '< 8.x-1.5 || >= 2.0.0 < 2.0.3'. machine_name is not a foreign key: an advisory may be
        -- loaded before any site reports the module.
        CREATE TABLE IF NOT EXISTS ingest.drupal_advisories (
            id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            advisory_id        text NOT NULL,
            machine_name       text NOT NULL,
            affected_versions  text NOT NULL,
            severity           text,
            title              text,
            url                text,
            published_at       timestamptz,
            created_at         timestamptz NOT NULL DEFAULT now(),
            UNIQUE (advisory_id, machine_name)
        );
        CREATE INDEX IF NOT EXISTS drupal_advisories_module_idx
            ON ingest.drupal_advisories (machine_name);
        """
}
