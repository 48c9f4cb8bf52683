/// A table the import strategies load, as the COPY path needs it: which columns, in the order
/// the row encoders write them, and which identify a row.
public struct ImportTable: Sendable, Hashable {
    /// Schema-qualified name, e.g. `ingest.pharmacy_claims`.
    public let name: String
    /// Columns in the order the encoder writes each row, ending with `import_job_id`.
    public let columns: [String]
    /// The primary key (for the staging + upsert path).
    public let keyColumns: [String]

    public init(name: String, columns: [String], keyColumns: [String]) {
        self.name = name
        self.columns = columns
        self.keyColumns = keyColumns
    }

    /// `COPY name (columns…) FROM STDIN` (text format, the default).
    public var copyStatement: String { copyStatement(into: name) }

    /// The same COPY into another table with the same columns, e.g. a temporary staging table.
    public func copyStatement(into table: String) -> String {
        "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"
    }

    /// An idempotent upsert from a staging table with these columns: a row already present is
    /// replaced by the newer load, and `loaded_at` is refreshed. A key repeated inside the
    /// staging table keeps its last copy (highest `ctid` of a freshly filled table), since
    /// `ON CONFLICT DO UPDATE` may not touch a row twice.
    public func upsertStatement(from staging: String) -> String {
        let list = columns.joined(separator: ", ")
        let keys = keyColumns.joined(separator: ", ")
        let updates = columns.filter { !keyColumns.contains($0) }.map { "\($0) = EXCLUDED.\($0)" }
            + ["loaded_at = now()"]
        return "INSERT INTO \(name) (\(list)) SELECT DISTINCT ON (\(keys)) \(list) FROM \(staging) "
            + "ORDER BY \(keys), ctid DESC ON CONFLICT (\(keys)) DO UPDATE SET "
            + updates.joined(separator: ", ")
    }

    public static let pharmacyClaims = ImportTable(
        name: "ingest.pharmacy_claims",
        columns: ClaimsValidator.requiredColumns + ["import_job_id"],
        keyColumns: ["claim_id"])

    public static let auditRecords = ImportTable(
        name: "ingest.audit_records",
        columns: AuditValidator.requiredColumns + ["import_job_id"],
        keyColumns: ["event_id"])
}
