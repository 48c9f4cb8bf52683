/// The names of the built-in handlers, as configuration refers to them (`handler:` of sources,
/// routes and `retry.handlers`). The receiver validates its configuration against these without
/// linking the handlers themselves (and libcurl with them); `BuiltinHandlers.names` in
/// `IntakeHandlers` is the same set, built from the handlers, and a test keeps the two equal.
public enum BuiltinHandlerNames {
    public static let all: Set<String> = [
        "builtin.noop", "builtin.sleep", "builtin.s3.fetch",
        "webhook.generic",
        "drupal.module_sync",
        "fhir.subscription",
        "import.completed", "import.failed", "subscriber.notify", "s3.reprocess",
        "csv.pharmacy_claims", "csv.audit_records", "ndjson.commerce",
    ]
}
