/// Migration 6: what the import runtime needs beyond migration 3's tables.
///
/// - Staged commerce rows keep their validated, typed values (`row_values`, the row as
///   `to_jsonb` of the target table's row type) so promotion can insert them with
///   `jsonb_populate_record` without re-validating the raw line.
/// - `intake.import_jobs` gets a lookup index for `imports list --status` and for the
///   per-job counts the data-quality check and `imports show` run.
public enum ImportJobsSchema {
    public static let sql: String = """
        ALTER TABLE ingest.orders_staging ADD COLUMN IF NOT EXISTS row_values jsonb;
        ALTER TABLE ingest.order_items_staging ADD COLUMN IF NOT EXISTS row_values jsonb;
        CREATE INDEX IF NOT EXISTS orders_staging_received_at_idx ON ingest.orders_staging (received_at);
        CREATE INDEX IF NOT EXISTS order_items_staging_received_at_idx ON ingest.order_items_staging (received_at);
        CREATE INDEX IF NOT EXISTS orders_staging_job_idx ON ingest.orders_staging (import_job_id);
        CREATE INDEX IF NOT EXISTS order_items_staging_job_idx ON ingest.order_items_staging (import_job_id);
        CREATE INDEX IF NOT EXISTS import_job_errors_type ON intake.import_job_errors (import_job_id, error_type);
        CREATE INDEX IF NOT EXISTS schema_history_job ON intake.schema_history (import_job_id);
        """
}
