/// DDL for the tables the import strategies load. Idempotent; expects the `ingest` schema and
/// `intake.import_jobs` to exist already.
///
/// Choices made for load speed: no foreign key from the loaded rows to `intake.import_jobs`
/// (a per-row RI trigger would cost COPY a large share of its speed, and jobs are pruned
/// independently) and no secondary index on `import_job_id` for the bulk tables. The CHECK
/// constraints repeat the validators' rules as a last line of defence; they cost little.
public enum ImportSchema {
    public static let sql: String = """
        CREATE TABLE IF NOT EXISTS ingest.pharmacy_claims (
            claim_id        text PRIMARY KEY CHECK (length(claim_id) BETWEEN 1 AND 64),
            patient_id      text NOT NULL,
            ndc             char(11) NOT NULL CHECK (ndc ~ '^[0-9]{11}$'),
            quantity        numeric NOT NULL CHECK (quantity > 0),
            days_supply     integer NOT NULL CHECK (days_supply BETWEEN 1 AND 365),
            fill_date       date NOT NULL,
            pharmacy_npi    text NOT NULL CHECK (pharmacy_npi ~ '^[0-9]{10}$'),
            prescriber_npi  text NOT NULL CHECK (prescriber_npi ~ '^[0-9]{10}$'),
            ingredient_cost numeric(12,2) NOT NULL CHECK (ingredient_cost >= 0),
            dispensing_fee  numeric(12,2) NOT NULL CHECK (dispensing_fee >= 0),
            copay           numeric(12,2) NOT NULL CHECK (copay >= 0),
            import_job_id   uuid NOT NULL,
            loaded_at       timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE IF NOT EXISTS ingest.audit_records (
            event_id      text PRIMARY KEY CHECK (length(event_id) BETWEEN 1 AND 128),
            occurred_at   timestamptz NOT NULL,
            actor_id      text NOT NULL CHECK (actor_id <> ''),
            action        text NOT NULL CHECK (action <> ''),
            resource_type text NOT NULL CHECK (resource_type <> ''),
            resource_id   text NOT NULL CHECK (resource_id <> ''),
            outcome       text NOT NULL CHECK (outcome IN ('success', 'failure')),
            source_ip     inet NOT NULL,
            import_job_id uuid NOT NULL,
            loaded_at     timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS audit_records_occurred_at_idx ON ingest.audit_records (occurred_at);

        CREATE TABLE IF NOT EXISTS ingest.customers (
            customer_id   uuid PRIMARY KEY,
            name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
            email         text CHECK (length(email) <= 254),
            metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
            created_at    timestamptz,
            import_job_id uuid,
            loaded_at     timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE IF NOT EXISTS ingest.products (
            product_id    uuid PRIMARY KEY,
            sku           text NOT NULL CHECK (length(sku) BETWEEN 1 AND 64),
            name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
            price         numeric(12,2) NOT NULL CHECK (price >= 0),
            category_id   uuid,
            active        boolean NOT NULL DEFAULT true,
            created_at    timestamptz,
            import_job_id uuid,
            loaded_at     timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE IF NOT EXISTS ingest.orders (
            order_id                uuid PRIMARY KEY,
            external_order_id       text CHECK (length(external_order_id) <= 100),
            customer_id             uuid NOT NULL REFERENCES ingest.customers (customer_id),
            customer_name_snapshot  text CHECK (length(customer_name_snapshot) <= 255),
            customer_email_snapshot text CHECK (length(customer_email_snapshot) <= 254),
            total_amount            numeric(12,2) NOT NULL CHECK (total_amount >= 0),
            currency                char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
            order_status            text NOT NULL CHECK (order_status IN ('pending', 'confirmed',
                                        'processing', 'paid', 'shipped', 'delivered', 'completed',
                                        'cancelled', 'refunded', 'failed', 'on_hold')),
            order_date              timestamptz NOT NULL,
            raw_payload             jsonb,
            created_at              timestamptz,
            import_job_id           uuid,
            loaded_at               timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS orders_customer_id_idx ON ingest.orders (customer_id);

        CREATE TABLE IF NOT EXISTS ingest.order_items (
            order_item_id uuid PRIMARY KEY,
            order_id      uuid NOT NULL REFERENCES ingest.orders (order_id),
            product_id    uuid NOT NULL REFERENCES ingest.products (product_id),
            quantity      integer NOT NULL CHECK (quantity > 0),
            unit_price    numeric(12,2) NOT NULL CHECK (unit_price >= 0),
            line_total    numeric(12,2) NOT NULL CHECK (line_total >= 0),
            import_job_id uuid,
            loaded_at     timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS order_items_order_id_idx ON ingest.order_items (order_id);
        CREATE INDEX IF NOT EXISTS order_items_product_id_idx ON ingest.order_items (product_id);

        -- Rows whose references have not arrived yet. Keyed by the row's own id so a file
        -- delivered twice stages each row once; promoted (and deleted) when what they wait for
        -- exists. `raw` is the line as received; the typed columns are what promotion joins on.
        CREATE TABLE IF NOT EXISTS ingest.orders_staging (
            order_id      uuid PRIMARY KEY,
            customer_id   uuid NOT NULL,
            waiting_for   text[] NOT NULL,
            raw           jsonb NOT NULL,
            import_job_id uuid NOT NULL,
            line_number   bigint,
            received_at   timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS orders_staging_customer_id_idx ON ingest.orders_staging (customer_id);

        CREATE TABLE IF NOT EXISTS ingest.order_items_staging (
            order_item_id uuid PRIMARY KEY,
            order_id      uuid NOT NULL,
            product_id    uuid NOT NULL,
            waiting_for   text[] NOT NULL,
            raw           jsonb NOT NULL,
            import_job_id uuid NOT NULL,
            line_number   bigint,
            received_at   timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS order_items_staging_order_id_idx ON ingest.order_items_staging (order_id);
        CREATE INDEX IF NOT EXISTS order_items_staging_product_id_idx ON ingest.order_items_staging (product_id);
        """
}
