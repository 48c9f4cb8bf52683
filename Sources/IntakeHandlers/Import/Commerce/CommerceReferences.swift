/// The SQL shapes of one commerce entity whose rows refer to others: which columns point
/// where, how to test that the rows they need exist, and what a waiting row says it waits for.
struct CommerceReferenceSQL: Sendable {
    struct Reference: Sendable {
        /// Column of the referring row (`customer_id` of an order).
        var column: String
        /// The table and key it must find (`ingest.customers`, `customer_id`).
        var table: String
        var key: String
        /// Word used in `waiting_for` (`customer`).
        var label: String
    }

    let entity: CommerceEntity
    let references: [Reference]

    init?(entity: CommerceEntity) {
        self.entity = entity
        switch entity {
        case .orders:
            references = [Reference(column: "customer_id", table: "ingest.customers", key: "customer_id", label: "customer")]
        case .orderItems:
            references = [
                Reference(column: "order_id", table: "ingest.orders", key: "order_id", label: "order"),
                Reference(column: "product_id", table: "ingest.products", key: "product_id", label: "product"),
            ]
        case .customers, .products:
            return nil
        }
    }

    var table: ImportTable { entity.table }
    var key: String { table.keyColumns[0] }
    var stagingTable: String { entity.stagingTable ?? "" }
    /// Session temp table holding one chunk: the target's columns plus the raw line and its number.
    var chunkTable: String { "pg_temp.intake_chunk_\(entity.rawValue)" }

    /// True when every row `alias` refers to exists in its final table.
    func ready(_ alias: String) -> String {
        references.map { "EXISTS (SELECT 1 FROM \($0.table) r WHERE r.\($0.key) = \(alias).\($0.column))" }
            .joined(separator: " AND ")
    }

    /// The missing references of `alias` as a text[] such as `{"customer 8f…"}`.
    func waitingFor(_ alias: String) -> String {
        let items = references.map {
            "CASE WHEN NOT EXISTS (SELECT 1 FROM \($0.table) r WHERE r.\($0.key) = \(alias).\($0.column)) "
                + "THEN '\($0.label) ' || \(alias).\($0.column) END"
        }
        return "array_remove(ARRAY[\(items.joined(separator: ", "))]::text[], NULL)"
    }

    /// Columns updated when a newer copy of a row arrives.
    private var updateList: String {
        (table.columns.filter { !table.keyColumns.contains($0) }.map { "\($0) = EXCLUDED.\($0)" } + ["loaded_at = now()"])
            .joined(separator: ", ")
    }

    var createChunkTable: String {
        "CREATE TEMP TABLE IF NOT EXISTS \(chunkTable) (LIKE \(table.name) INCLUDING DEFAULTS, raw_line text, "
            + "line_number bigint) ON COMMIT DELETE ROWS"
    }

    var copyIntoChunk: String {
        "COPY \(chunkTable) (\((table.columns + ["raw_line", "line_number"]).joined(separator: ", "))) FROM STDIN"
    }

    /// Rows whose references exist go to the final table (the last copy of a key in the chunk wins).
    var insertReady: String {
        let list = table.columns.joined(separator: ", ")
        return """
            INSERT INTO \(table.name) (\(list))
            SELECT DISTINCT ON (c.\(key)) \(table.columns.map { "c.\($0)" }.joined(separator: ", "))
            FROM \(chunkTable) c WHERE \(ready("c"))
            ORDER BY c.\(key), c.line_number DESC
            ON CONFLICT (\(key)) DO UPDATE SET \(updateList)
            """
    }

    /// A row now loaded supersedes an older copy that was waiting.
    var deleteSuperseded: String {
        "DELETE FROM \(stagingTable) s USING \(chunkTable) c WHERE s.\(key) = c.\(key) AND \(ready("c"))"
    }

    /// The rest waits in staging, with its typed values for promotion.
    var insertWaiting: String {
        let refColumns = references.map(\.column)
        let columns = [key] + refColumns + ["waiting_for", "raw", "row_values", "import_job_id", "line_number"]
        let updates = columns.dropFirst().map { "\($0) = EXCLUDED.\($0)" } + ["received_at = now()"]
        return """
            INSERT INTO \(stagingTable) (\(columns.joined(separator: ", ")))
            SELECT DISTINCT ON (c.\(key)) c.\(key), \(refColumns.map { "c.\($0)" }.joined(separator: ", ")),
                   \(waitingFor("c")), c.raw_line::jsonb,
                   to_jsonb(c) - 'raw_line' - 'line_number' - 'loaded_at', c.import_job_id, c.line_number
            FROM \(chunkTable) c WHERE NOT (\(ready("c")))
            ORDER BY c.\(key), c.line_number DESC
            ON CONFLICT (\(key)) DO UPDATE SET \(updates.joined(separator: ", "))
            """
    }

    /// Moves staged rows whose references now exist into the final table.
    var promote: String {
        let list = table.columns.joined(separator: ", ")
        return """
            WITH moved AS (
                DELETE FROM \(stagingTable) s WHERE \(ready("s")) RETURNING s.row_values
            )
            INSERT INTO \(table.name) (\(list))
            SELECT \(table.columns.map { "v.\($0)" }.joined(separator: ", "))
            FROM moved m CROSS JOIN LATERAL jsonb_populate_record(NULL::\(table.name), m.row_values) v
            ON CONFLICT (\(key)) DO UPDATE SET \(updateList)
            """
    }

    /// Keeps `waiting_for` truthful for the rows that still wait.
    var refreshWaiting: String {
        "UPDATE \(stagingTable) s SET waiting_for = \(waitingFor("s")) WHERE waiting_for IS DISTINCT FROM \(waitingFor("s"))"
    }
}
