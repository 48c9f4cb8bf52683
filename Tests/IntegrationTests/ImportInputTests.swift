import Foundation
import IntakeCore
import IntakeHandlers
import IntakePostgres
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
}
