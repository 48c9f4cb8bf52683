import IntakeSchema
import Testing

@testable import IntakeHandlers

@Suite("Audit validator, schema drift, COPY text")
struct AuditAndCopyTests {
    static let validator = try! AuditValidator(header: CSVHeader(columns: AuditValidator.requiredColumns))

    func audit(_ line: String) throws -> (errors: [RowErrorKind], copy: String) {
        try withRecord(header: "", line: line) { record in
            var buffer = CopyTextBuffer()
            switch Self.validator.validate(record) {
            case .valid(let row):
                row.encode(into: &buffer)
                return ([], String(decoding: buffer.bytes, as: UTF8.self))
            case .invalid(let errors):
                return (errors.map(\.kind), "")
            }
        }
    }

    @Test func validAuditRowsAreEncoded() throws {
        let result = try audit("ev-1,2024-03-01T12:00:00.250+01:00,user 7,login,session,s-1,Success,2001:db8::1")
        #expect(result.errors == [])
        #expect(result.copy == "ev-1\t2024-03-01T12:00:00.250+01:00\tuser 7\tlogin\tsession\ts-1\tsuccess\t2001:db8::1\n")
        #expect(try audit("e,2024-03-01T12:00:00Z,a,b,c,d,failure,::ffff:10.0.0.1").errors == [])
    }

    @Test func auditRulesRejectWithTheirErrorTypes() throws {
        #expect(try audit("ev,2024-03-01T12:00:00,a,b,c,d,success,10.0.0.1").errors == [.invalidTimestamp])
        #expect(try audit("ev,2024-03-01T12:00:00Z,a,b,c,d,maybe,10.0.0.1").errors == [.invalidEnum])
        #expect(try audit("ev,2024-03-01T12:00:00Z,a,b,c,d,success,10.0.0.256").errors == [.invalidIP])
        #expect(try audit("ev,2024-03-01T12:00:00Z,,b,c,d,success,10.0.0.1").errors == [.missingField])
        #expect(try audit(",2024-03-01T12:00:00Z,a,b,c,d,success,10.0.0.1").errors == [.missingField])
        #expect(try audit("ev,2024-03-01T12:00:00Z,a,b,c,d,success").errors == [.raggedRow])
    }

    @Test func schemaDriftNamesAddedRemovedAndReorderedColumns() {
        let drift = SchemaDrift(previous: ["a", "b", "c", "d"], current: ["A ", "c", "b", "e"])
        #expect(drift.added == ["e"])
        #expect(drift.removed == ["d"])
        #expect(drift.reordered == ["c", "b"])
        #expect(drift.hasDrift)
        #expect(!SchemaDrift(previous: ["a", "b"], current: [" A", "B"]).hasDrift)
        #expect(SchemaDrift(previous: ["a", "b"], current: ["a", "b", "x"]).summary == "added x")
    }

    @Test func headerLookupIgnoresCaseAndSpaces() {
        let header = CSVHeader(columns: ["\u{FEFF}Claim_ID ", " NDC"])
        #expect(header.columns == ["Claim_ID", "NDC"])
        #expect(header.index(of: "claim_id") == 0)
        #expect(header.index(of: "ndc") == 1)
        #expect(header.index(of: "copay") == nil)
    }

    @Test func copyTextEscapesBackslashTabNewlineAndCarriageReturn() {
        var buffer = CopyTextBuffer()
        buffer.setTrailingColumns(["job\t1", nil])
        buffer.appendText("a\\b\tc\nd\re")
        buffer.appendNull()
        buffer.appendText("")
        buffer.appendText("\\N")
        buffer.appendInt(-42)
        buffer.appendInt(0)
        buffer.appendBool(true)
        buffer.endRow()
        buffer.appendText("é✓")
        buffer.endRow()
        #expect(String(decoding: buffer.bytes, as: UTF8.self)
            == "a\\\\b\\tc\\nd\\re\t\\N\t\t\\\\N\t-42\t0\tt\tjob\\t1\t\\N\n" + "é✓\tjob\\t1\t\\N\n")
        #expect(buffer.rowCount == 2)
        buffer.removeAll()
        #expect(buffer.isEmpty && buffer.rowCount == 0)
    }

    @Test func importTablesDescribeCopyAndUpsert() {
        #expect(ImportTable.pharmacyClaims.columns.first == "claim_id")
        #expect(ImportTable.pharmacyClaims.columns.last == "import_job_id")
        #expect(ImportTable.auditRecords.copyStatement.hasPrefix("COPY ingest.audit_records (event_id, occurred_at,"))
        let upsert = ImportTable.auditRecords.upsertStatement(from: "staging_audit")
        #expect(upsert.contains("SELECT DISTINCT ON (event_id)"))
        #expect(upsert.contains("ON CONFLICT (event_id) DO UPDATE SET occurred_at = EXCLUDED.occurred_at"))
        #expect(!upsert.contains("event_id = EXCLUDED"))
    }

    @Test func schemaSQLIsIdempotentAndCoversEveryTable() {
        for table in [
            "pharmacy_claims", "audit_records", "customers", "products", "orders", "order_items",
            "orders_staging", "order_items_staging",
        ] {
            #expect(ImportSchema.sql.contains("CREATE TABLE IF NOT EXISTS ingest.\(table) ("), "\(table)")
        }
        #expect(!ImportSchema.sql.contains("CREATE TABLE ingest"))
        #expect(!ImportSchema.sql.contains("CREATE INDEX ingest"))
        #expect(ImportSchema.sql.contains("REFERENCES ingest.customers (customer_id)"))
    }
}
