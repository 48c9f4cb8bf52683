import Foundation
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeSchema
import IntakeTestSupport
import Testing

/// Objects whose key or content is awkward for an import.
@Suite("Import input", .enabled(if: ImportEnvironment.available, ImportEnvironment.skipReason))
struct ImportInputTests {
    /// Runs `body` with a migrated database, a connection, a pool, a fresh bucket and a context.
    func withImport(
        _ bucketPrefix: String,
        _ body: (_ db: PostgresConnection, _ bucket: String, _ context: HandlerContext) async throws -> Void
    ) async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let db = try await TestDatabase.connect(database: name)
            let pool = PostgresPool(configuration: TestDatabase.configuration(database: name), size: 2)
            let bucket = try await ImportEnvironment.bucket(bucketPrefix)
            try await body(db, bucket, ImportEnvironment.context(pool: pool))
            await pool.close()
            await db.close()
        }
    }

    @Test func aKeyWithDotSegmentsIsImportedFromThatKey() async throws {
        try await withImport("dots") { db, bucket, context in
            let claims = CSVImportHandler.pharmacyClaims(services: try ImportEnvironment.services())
            // Another object where a normalised path would land: importing it would be wrong.
            _ = try await ImportEnvironment.upload(ImportEnvironment.claimsFile(rows: 5), bucket: bucket, key: "claims/y.csv")
            let key = "claims/x/../y.csv"
            let task = try await ImportEnvironment.upload(ImportEnvironment.claimsFile(rows: 20, seed: 7), bucket: bucket, key: key)
            let listed = try await ImportEnvironment.s3().listObjectsV2(bucket: bucket, prefix: "claims/").objects.map(\.key)
            #expect(Set(listed) == ["claims/x/../y.csv", "claims/y.csv"])

            let outcome = try await claims.handle(ImportEnvironment.message(task, handler: claims.name), context: context)
            #expect(outcome.isSuccess, "\(outcome)")
            #expect(try await db.text("SELECT status FROM intake.import_jobs") == "completed")
            #expect(try await db.text("SELECT metadata->>'key' FROM intake.import_jobs") == key)
            #expect(try await db.count("SELECT count(*) FROM ingest.pharmacy_claims") == 20)
        }
    }

    @Test func aCSVRecordOverTheLimitIsOneErrorAndTheRowsAfterItLoad() async throws {
        try await withImport("long-csv") { db, bucket, context in
            var lines = String(decoding: ImportEnvironment.claimsFile(rows: 200), as: UTF8.self)
                .split(separator: "\n").map(String.init)
            // Row 101: 10 MB in one unquoted field.
            lines.insert("CLMLONG," + String(repeating: "p", count: 10_000_000) + ",x", at: 101)
            let file = Array((lines.joined(separator: "\n") + "\n").utf8)
            let task = try await ImportEnvironment.upload(file, bucket: bucket, key: "claims/long.csv")
            let claims = CSVImportHandler.pharmacyClaims(services: try ImportEnvironment.services())
            let outcome = try await claims.handle(ImportEnvironment.message(task, handler: claims.name), context: context)
            #expect(outcome.isSuccess, "\(outcome)")

            let job = try #require(
                try await db.query("SELECT status, successful_records, failed_records, last_processed_byte FROM intake.import_jobs").first)
            #expect(try job.decode(String.self, at: 0) == "partially_completed")
            #expect(try job.decode(Int.self, at: 1) == 200)
            #expect(try job.decode(Int.self, at: 2) == 1)
            #expect(try job.decode(Int.self, at: 3) == file.count)
            #expect(try await db.count("SELECT count(*) FROM ingest.pharmacy_claims") == 200)
            let error = try #require(
                try await db.query("SELECT row_number, error_type, message, raw FROM intake.import_job_errors").first)
            #expect(try error.decode(Int.self, at: 0) == 101)
            #expect(try error.decode(String.self, at: 1) == "too_long")
            let message = try error.decode(String.self, at: 2)
            #expect(message.contains("row 101 is 10000010 bytes long, over the limit of 1048576 bytes"), "\(message)")
            let raw = try error.decode(String.self, at: 3)
            #expect(raw.hasPrefix("CLMLONG,ppp") && raw.hasSuffix("…") && raw.count == 1025)
        }
    }

    @Test func anNDJSONLineOverTheLimitIsOneErrorAndTheLinesAfterItLoad() async throws {
        try await withImport("long-ndjson") { db, bucket, context in
            let data = ImportCommerceTests.Dataset.make(customers: 30, products: 1, orders: 0, itemsPerOrder: 0)
            var lines = data.customers
            // Line 11: 5 MB of JSON, valid but for its length.
            lines.insert(#"{"customer_id":"x","name":""# + String(repeating: "n", count: 5_000_000) + #""}"#, at: 10)
            let task = try await ImportEnvironment.upload(
                Array((lines.joined(separator: "\n") + "\n").utf8), bucket: bucket, key: "commerce/customers_long.ndjson")
            let handler = CommerceImportHandler(services: try ImportEnvironment.services())
            let outcome = try await handler.handle(ImportEnvironment.message(task, handler: handler.name), context: context)
            #expect(outcome.isSuccess, "\(outcome)")
            #expect(try await db.text("SELECT status FROM intake.import_jobs") == "partially_completed")
            #expect(try await db.count("SELECT count(*) FROM ingest.customers") == 30)
            let error = try #require(try await db.query("SELECT row_number, error_type, message FROM intake.import_job_errors").first)
            #expect(try error.decode(Int.self, at: 0) == 11)
            #expect(try error.decode(String.self, at: 1) == "too_long")
            #expect(try error.decode(String.self, at: 2).contains("line 11 is 5000029 bytes long"))
        }
    }

    static func utf16(_ text: String) -> [UInt8] {
        [0xFF, 0xFE] + text.utf16.flatMap { unit -> [UInt8] in [UInt8(truncatingIfNeeded: unit), UInt8(unit >> 8)] }
    }

    @Test func filesThatAreNotTextFailWithAReasonAPersonCanActOn() async throws {
        try await withImport("not-text") { db, bucket, context in
            let services = try ImportEnvironment.services()
            let claims = CSVImportHandler.pharmacyClaims(services: services)
            let commerce = CommerceImportHandler(services: services)
            let csv = String(decoding: ImportEnvironment.claimsFile(rows: 10), as: UTF8.self)
            let customers = ImportCommerceTests.Dataset.make(customers: 3, products: 1, orders: 0, itemsPerOrder: 0)
                .customers.joined(separator: "\n")
            let gzip: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03] + Array(repeating: 0x41, count: 100)
            let cases: [(key: String, bytes: [UInt8], handler: any Handler, reason: String)] = [
                ("claims/utf16.csv", Self.utf16(csv), claims, "the file is not UTF-8 text: it is UTF-16 text (byte order mark ff fe)"),
                ("claims/utf16-no-bom.csv", Array(Self.utf16(csv).dropFirst(2)), claims, "NUL byte at byte 1"),
                ("claims/claims.csv.gz", gzip, claims, "gzip-compressed"),
                ("commerce/customers_utf16.ndjson", Self.utf16(customers), commerce, "UTF-16 text"),
                ("commerce/customers_gz.ndjson", gzip, commerce, "gzip-compressed"),
            ]
            for file in cases {
                let task = try await ImportEnvironment.upload(file.bytes, bucket: bucket, key: file.key)
                let outcome = try await file.handler.handle(ImportEnvironment.message(task, handler: file.handler.name), context: context)
                #expect(outcome.isPermanentFailure, "\(file.key): \(outcome)")
                let job = try #require(
                    try await db.query(
                        "SELECT status, error_message, processed_records FROM intake.import_jobs WHERE metadata->>'key' = $1",
                        [file.key]
                    ).first)
                #expect(try job.decode(String.self, at: 0) == "failed", "\(file.key)")
                let message = try job.decode(String?.self, at: 1) ?? ""
                #expect(message.contains(file.reason), "\(file.key): \(message)")
                #expect(try job.decode(Int.self, at: 2) == 0)
            }
            #expect(try await db.count("SELECT count(*) FROM intake.jobs WHERE kind = 'import.failed'") == cases.count)
            #expect(try await db.count("SELECT count(*) FROM intake.schema_history") == 0)
        }
    }
}
